"""initial model

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 00:15:41.998784
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('acme_challenge_unknown_poll',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('count_polls', sa.Integer(), nullable=False),
    sa.Column('last_token', sa.String(length=255), nullable=True),
    sa.Column('last_host', sa.String(length=255), nullable=True),
    sa.Column('last_remote_ip_address', sa.String(length=64), nullable=True),
    sa.Column('timestamp_last', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_acme_challenge_unknown_poll'))
    )
    op.create_table('acme_event_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('timestamp_event', sa.DateTime(), nullable=False),
    sa.Column('acme_event', sa.String(length=64), nullable=False),
    sa.Column('result', sa.Enum('success', 'failure', name='eventresult', native_enum=False, length=32), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=True),
    sa.Column('url', sa.String(length=512), nullable=True),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('problem_type', sa.String(length=128), nullable=True),
    sa.Column('error_text', sa.Text(), nullable=True),
    sa.Column('request_json', sa.Text(), nullable=True),
    sa.Column('response_json', sa.Text(), nullable=True),
    sa.Column('elapsed_ms', sa.Integer(), nullable=True),
    sa.Column('acme_server_id', sa.Integer(), nullable=True),
    sa.Column('acme_account_id', sa.Integer(), nullable=True),
    sa.Column('acme_order_id', sa.Integer(), nullable=True),
    sa.Column('acme_authorization_id', sa.Integer(), nullable=True),
    sa.Column('acme_challenge_id', sa.Integer(), nullable=True),
    sa.Column('certificate_signed_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acme_event_log'))
    )
    with op.batch_alter_table('acme_event_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acme_event_log_acme_account_id'), ['acme_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_event_log_acme_authorization_id'), ['acme_authorization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_event_log_acme_challenge_id'), ['acme_challenge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_event_log_acme_event'), ['acme_event'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_event_log_acme_order_id'), ['acme_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_event_log_acme_server_id'), ['acme_server_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_event_log_certificate_signed_id'), ['certificate_signed_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_event_log_result'), ['result'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_event_log_timestamp_event'), ['timestamp_event'], unique=False)

    op.create_table('acme_server',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('directory_url', sa.String(length=512), nullable=False),
    sa.Column('server', sa.String(length=255), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('is_enabled', sa.Boolean(), nullable=False),
    sa.Column('protocol', sa.String(length=16), nullable=False),
    sa.Column('ca_bundle_pem', sa.Text(), nullable=True),
    sa.Column('is_supports_ari', sa.Boolean(), nullable=False),
    sa.Column('is_supports_profiles', sa.Boolean(), nullable=False),
    sa.Column('profiles_json', sa.Text(), nullable=True),
    sa.Column('directory_json', sa.Text(), nullable=True),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.Column('timestamp_directory_checked', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acme_server')),
    sa.UniqueConstraint('directory_url', name=op.f('uq_acme_server_directory_url')),
    sa.UniqueConstraint('name', name=op.f('uq_acme_server_name'))
    )
    with op.batch_alter_table('acme_server', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acme_server_server'), ['server'], unique=False)

    op.create_table('admin_api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.Column('timestamp_last_used', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_api_token')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_admin_api_token_token_sha256'))
    )
    op.create_table('certificate_ca',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=255), nullable=False),
    sa.Column('cert_pem', sa.Text(), nullable=False),
    sa.Column('fingerprint_sha1', sa.String(length=40), nullable=False),
    sa.Column('fingerprint_sha256', sa.String(length=64), nullable=False),
    sa.Column('spki_sha256', sa.String(length=64), nullable=False),
    sa.Column('cert_subject', sa.Text(), nullable=False),
    sa.Column('cert_issuer', sa.Text(), nullable=False),
    sa.Column('subject_key_identifier', sa.String(length=128), nullable=True),
    sa.Column('authority_key_identifier', sa.String(length=128), nullable=True),
    sa.Column('key_technology', sa.Enum('RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_P256', 'EC_P384', name='keytechnology', native_enum=False, length=32), nullable=True),
    sa.Column('is_self_signed', sa.Boolean(), nullable=False),
    sa.Column('is_trusted_root', sa.Boolean(), nullable=False),
    sa.Column('timestamp_not_before', sa.DateTime(), nullable=False),
    sa.Column('timestamp_not_after', sa.DateTime(), nullable=False),
    sa.Column('cert_issuer_uri', sa.String(length=512), nullable=True),
    sa.Column('cert_issuer__reconciled', sa.Boolean(), nullable=True),
    sa.Column('cert_issuer__certificate_ca_id', sa.Integer(), nullable=True),
    sa.Column('reconciled_uris', sa.Text(), nullable=True),
    sa.Column('timestamp_reconciled', sa.DateTime(), nullable=True),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cert_issuer__certificate_ca_id'], ['certificate_ca.id'], name=op.f('fk_certificate_ca_cert_issuer__certificate_ca_id_certificate_ca')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_ca')),
    sa.UniqueConstraint('fingerprint_sha1', name=op.f('uq_certificate_ca_fingerprint_sha1')),
    sa.UniqueConstraint('fingerprint_sha256', name=op.f('uq_certificate_ca_fingerprint_sha256'))
    )
    with op.batch_alter_table('certificate_ca', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_ca_authority_key_identifier'), ['authority_key_identifier'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_ca_spki_sha256'), ['spki_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_ca_subject_key_identifier'), ['subject_key_identifier'], unique=False)

    op.create_table('dns_provider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('provider_type', sa.String(length=32), nullable=False),
    sa.Column('config_json', sa.Text(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dns_provider')),
    sa.UniqueConstraint('name', name=op.f('uq_dns_provider_name'))
    )
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notification_type', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('target', sa.String(length=512), nullable=False),
    sa.Column('dedupe_key', sa.String(length=255), nullable=False),
    sa.Column('payload_json', sa.Text(), nullable=True),
    sa.Column('result', sa.Enum('success', 'failure', name='eventresult', native_enum=False, length=32), nullable=False),
    sa.Column('error_text', sa.Text(), nullable=True),
    sa.Column('timestamp_sent', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_dedupe_key'), ['dedupe_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_notification_type'), ['notification_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_timestamp_sent'), ['timestamp_sent'], unique=False)

    op.create_table('operations_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('timestamp_event', sa.DateTime(), nullable=False),
    sa.Column('payload_json', sa.Text(), nullable=True),
    sa.Column('operations_event_id__child_of', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['operations_event_id__child_of'], ['operations_event.id'], name=op.f('fk_operations_event_operations_event_id__child_of_operations_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operations_event'))
    )
    with op.batch_alter_table('operations_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operations_event_event_type'), ['event_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_operations_event_operations_event_id__child_of'), ['operations_event_id__child_of'], unique=False)
        batch_op.create_index(batch_op.f('ix_operations_event_timestamp_event'), ['timestamp_event'], unique=False)

    op.create_table('unique_fqdn_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('domain_ids_string', sa.Text(), nullable=False),
    sa.Column('count_domains', sa.Integer(), nullable=False),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unique_fqdn_set')),
    sa.UniqueConstraint('domain_ids_string', name=op.f('uq_unique_fqdn_set_domain_ids_string'))
    )
    op.create_table('acme_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acme_server_id', sa.Integer(), nullable=False),
    sa.Column('contact', sa.String(length=255), nullable=True),
    sa.Column('account_url', sa.String(length=512), nullable=True),
    sa.Column('status', sa.Enum('valid', 'deactivated', 'revoked', 'unknown', name='acmeaccountstatus', native_enum=False, length=32), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('is_global_default', sa.Boolean(), nullable=False),
    sa.Column('terms_of_service', sa.String(length=512), nullable=True),
    sa.Column('eab_kid', sa.String(length=255), nullable=True),
    sa.Column('certbot_meta_json', sa.Text(), nullable=True),
    sa.Column('certbot_regr_json', sa.Text(), nullable=True),
    sa.Column('order_default_private_key_cycle', sa.Enum('single_certificate', 'account_daily', 'account_weekly', 'global_daily', 'global_weekly', 'account_key_default', name='privatekeycycle', native_enum=False, length=32), nullable=False),
    sa.Column('order_default_private_key_technology', sa.Enum('RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_P256', 'EC_P384', name='keytechnology', native_enum=False, length=32), nullable=False),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.Column('timestamp_last_authenticated', sa.DateTime(), nullable=True),
    sa.Column('timestamp_deactivated', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['acme_server_id'], ['acme_server.id'], name=op.f('fk_acme_account_acme_server_id_acme_server')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acme_account')),
    sa.UniqueConstraint('acme_server_id', 'account_url', name=op.f('uq_acme_account_acme_server_id_account_url'))
    )
    with op.batch_alter_table('acme_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acme_account_acme_server_id'), ['acme_server_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_account_contact'), ['contact'], unique=False)

    op.create_table('certificate_ca_chain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=255), nullable=False),
    sa.Column('chain_pem', sa.Text(), nullable=False),
    sa.Column('chain_pem_sha256', sa.String(length=64), nullable=False),
    sa.Column('chain_length', sa.Integer(), nullable=False),
    sa.Column('certificate_ca_0_id', sa.Integer(), nullable=False),
    sa.Column('certificate_ca_n_id', sa.Integer(), nullable=False),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_ca_0_id'], ['certificate_ca.id'], name=op.f('fk_certificate_ca_chain_certificate_ca_0_id_certificate_ca')),
    sa.ForeignKeyConstraint(['certificate_ca_n_id'], ['certificate_ca.id'], name=op.f('fk_certificate_ca_chain_certificate_ca_n_id_certificate_ca')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_ca_chain')),
    sa.UniqueConstraint('chain_pem_sha256', name=op.f('uq_certificate_ca_chain_chain_pem_sha256'))
    )
    with op.batch_alter_table('certificate_ca_chain', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_ca_chain_certificate_ca_0_id'), ['certificate_ca_0_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_ca_chain_certificate_ca_n_id'), ['certificate_ca_n_id'], unique=False)

    op.create_table('certificate_ca_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('certificate_ca_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_ca_id'], ['certificate_ca.id'], name=op.f('fk_certificate_ca_preference_certificate_ca_id_certificate_ca')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_ca_preference')),
    sa.UniqueConstraint('certificate_ca_id', name=op.f('uq_certificate_ca_preference_certificate_ca_id')),
    sa.UniqueConstraint('slot', name=op.f('uq_certificate_ca_preference_slot'))
    )
    op.create_table('operations_object_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operations_event_id', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=64), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('event_status', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['operations_event_id'], ['operations_event.id'], name=op.f('fk_operations_object_event_operations_event_id_operations_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operations_object_event'))
    )
    with op.batch_alter_table('operations_object_event', schema=None) as batch_op:
        batch_op.create_index('ix_operations_object_event_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_operations_object_event_operations_event_id'), ['operations_event_id'], unique=False)

    op.create_table('acme_account_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acme_account_id', sa.Integer(), nullable=False),
    sa.Column('key_pem', sa.Text(), nullable=False),
    sa.Column('key_pem_md5', sa.String(length=32), nullable=False),
    sa.Column('spki_sha256', sa.String(length=64), nullable=False),
    sa.Column('jwk_thumbprint', sa.String(length=64), nullable=True),
    sa.Column('key_technology', sa.Enum('RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_P256', 'EC_P384', name='keytechnology', native_enum=False, length=32), nullable=False),
    sa.Column('source', sa.Enum('generated', 'imported', 'certbot', name='accountkeysource', native_enum=False, length=32), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.Column('timestamp_deactivated', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['acme_account_id'], ['acme_account.id'], name=op.f('fk_acme_account_key_acme_account_id_acme_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acme_account_key')),
    sa.UniqueConstraint('spki_sha256', name=op.f('uq_acme_account_key_spki_sha256'))
    )
    with op.batch_alter_table('acme_account_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acme_account_key_acme_account_id'), ['acme_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_account_key_jwk_thumbprint'), ['jwk_thumbprint'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_account_key_key_pem_md5'), ['key_pem_md5'], unique=False)

    op.create_table('acme_orderless',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('acme_account_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.Column('timestamp_updated', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['acme_account_id'], ['acme_account.id'], name=op.f('fk_acme_orderless_acme_account_id_acme_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acme_orderless'))
    )
    with op.batch_alter_table('acme_orderless', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acme_orderless_acme_account_id'), ['acme_account_id'], unique=False)

    op.create_table('certificate_ca_chain_item',
    sa.Column('certificate_ca_chain_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('certificate_ca_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_ca_chain_id'], ['certificate_ca_chain.id'], name=op.f('fk_certificate_ca_chain_item_certificate_ca_chain_id_certificate_ca_chain')),
    sa.ForeignKeyConstraint(['certificate_ca_id'], ['certificate_ca.id'], name=op.f('fk_certificate_ca_chain_item_certificate_ca_id_certificate_ca')),
    sa.PrimaryKeyConstraint('certificate_ca_chain_id', 'position', name=op.f('pk_certificate_ca_chain_item'))
    )
    with op.batch_alter_table('certificate_ca_chain_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_ca_chain_item_certificate_ca_id'), ['certificate_ca_id'], unique=False)

    op.create_table('private_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_pem', sa.Text(), nullable=False),
    sa.Column('key_pem_md5', sa.String(length=32), nullable=False),
    sa.Column('spki_sha256', sa.String(length=64), nullable=False),
    sa.Column('key_technology', sa.Enum('RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_P256', 'EC_P384', name='keytechnology', native_enum=False, length=32), nullable=False),
    sa.Column('source', sa.Enum('imported', 'generated', name='privatekeysource', native_enum=False, length=32), nullable=False),
    sa.Column('private_key_type', sa.Enum('standard', 'single_certificate', 'account_daily', 'account_weekly', 'global_daily', 'global_weekly', name='privatekeytype', native_enum=False, length=32), nullable=False),
    sa.Column('cycle_period', sa.String(length=16), nullable=True),
    sa.Column('acme_account_id__owner', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('is_compromised', sa.Boolean(), nullable=False),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.Column('timestamp_compromised', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['acme_account_id__owner'], ['acme_account.id'], name=op.f('fk_private_key_acme_account_id__owner_acme_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_private_key')),
    sa.UniqueConstraint('spki_sha256', name=op.f('uq_private_key_spki_sha256'))
    )
    with op.batch_alter_table('private_key', schema=None) as batch_op:
        batch_op.create_index('ix_private_key_cycle_lookup', ['private_key_type', 'acme_account_id__owner', 'cycle_period'], unique=False)
        batch_op.create_index(batch_op.f('ix_private_key_key_pem_md5'), ['key_pem_md5'], unique=False)

    op.create_table('rate_limited',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acme_server_id', sa.Integer(), nullable=False),
    sa.Column('acme_account_id', sa.Integer(), nullable=True),
    sa.Column('unique_fqdn_set_id', sa.Integer(), nullable=True),
    sa.Column('problem_detail', sa.Text(), nullable=True),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.Column('timestamp_retry_after', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['acme_account_id'], ['acme_account.id'], name=op.f('fk_rate_limited_acme_account_id_acme_account')),
    sa.ForeignKeyConstraint(['acme_server_id'], ['acme_server.id'], name=op.f('fk_rate_limited_acme_server_id_acme_server')),
    sa.ForeignKeyConstraint(['unique_fqdn_set_id'], ['unique_fqdn_set.id'], name=op.f('fk_rate_limited_unique_fqdn_set_id_unique_fqdn_set')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_limited'))
    )
    with op.batch_alter_table('rate_limited', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limited_acme_account_id'), ['acme_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rate_limited_acme_server_id'), ['acme_server_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rate_limited_timestamp_retry_after'), ['timestamp_retry_after'], unique=False)
        batch_op.create_index(batch_op.f('ix_rate_limited_unique_fqdn_set_id'), ['unique_fqdn_set_id'], unique=False)

    op.create_table('certificate_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('csr_pem', sa.Text(), nullable=False),
    sa.Column('csr_pem_sha256', sa.String(length=64), nullable=False),
    sa.Column('spki_sha256', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Enum('imported', 'acme_order', 'acme_flow', name='certificaterequestsource', native_enum=False, length=32), nullable=False),
    sa.Column('private_key_id', sa.Integer(), nullable=True),
    sa.Column('unique_fqdn_set_id', sa.Integer(), nullable=False),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['private_key_id'], ['private_key.id'], name=op.f('fk_certificate_request_private_key_id_private_key')),
    sa.ForeignKeyConstraint(['unique_fqdn_set_id'], ['unique_fqdn_set.id'], name=op.f('fk_certificate_request_unique_fqdn_set_id_unique_fqdn_set')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_request')),
    sa.UniqueConstraint('csr_pem_sha256', name=op.f('uq_certificate_request_csr_pem_sha256'))
    )
    with op.batch_alter_table('certificate_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_request_private_key_id'), ['private_key_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_request_spki_sha256'), ['spki_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_request_unique_fqdn_set_id'), ['unique_fqdn_set_id'], unique=False)

    op.create_table('certificate_signed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cert_pem', sa.Text(), nullable=False),
    sa.Column('fingerprint_sha1', sa.String(length=40), nullable=False),
    sa.Column('fingerprint_sha256', sa.String(length=64), nullable=False),
    sa.Column('spki_sha256', sa.String(length=64), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('cert_subject', sa.Text(), nullable=False),
    sa.Column('cert_issuer', sa.Text(), nullable=False),
    sa.Column('authority_key_identifier', sa.String(length=128), nullable=True),
    sa.Column('ari_identifier', sa.String(length=255), nullable=True),
    sa.Column('key_technology', sa.Enum('RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_P256', 'EC_P384', name='keytechnology', native_enum=False, length=32), nullable=True),
    sa.Column('timestamp_not_before', sa.DateTime(), nullable=False),
    sa.Column('timestamp_not_after', sa.DateTime(), nullable=False),
    sa.Column('is_single_domain', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('is_deactivated', sa.Boolean(), nullable=False),
    sa.Column('is_revoked', sa.Boolean(), nullable=False),
    sa.Column('is_compromised_private_key', sa.Boolean(), nullable=False),
    sa.Column('source', sa.Enum('imported', 'acme_order', name='certificatesource', native_enum=False, length=32), nullable=False),
    sa.Column('private_key_id', sa.Integer(), nullable=False),
    sa.Column('certificate_request_id', sa.Integer(), nullable=True),
    sa.Column('unique_fqdn_set_id', sa.Integer(), nullable=False),
    sa.Column('timestamp_renew_after', sa.DateTime(), nullable=True),
    sa.Column('timestamp_ari_next_check', sa.DateTime(), nullable=True),
    sa.Column('timestamp_revoked_upstream', sa.DateTime(), nullable=True),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_request_id'], ['certificate_request.id'], name=op.f('fk_certificate_signed_certificate_request_id_certificate_request')),
    sa.ForeignKeyConstraint(['private_key_id'], ['private_key.id'], name=op.f('fk_certificate_signed_private_key_id_private_key')),
    sa.ForeignKeyConstraint(['unique_fqdn_set_id'], ['unique_fqdn_set.id'], name=op.f('fk_certificate_signed_unique_fqdn_set_id_unique_fqdn_set')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_signed')),
    sa.UniqueConstraint('fingerprint_sha1', name=op.f('uq_certificate_signed_fingerprint_sha1')),
    sa.UniqueConstraint('fingerprint_sha256', name=op.f('uq_certificate_signed_fingerprint_sha256'))
    )
    with op.batch_alter_table('certificate_signed', schema=None) as batch_op:
        batch_op.create_index('ix_certificate_signed_active_expiry', ['is_active', 'timestamp_not_after'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_signed_ari_identifier'), ['ari_identifier'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_signed_authority_key_identifier'), ['authority_key_identifier'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_signed_certificate_request_id'), ['certificate_request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_signed_private_key_id'), ['private_key_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_signed_serial'), ['serial'], unique=False)
        batch_op.create_index('ix_certificate_signed_set_expiry', ['unique_fqdn_set_id', 'timestamp_not_after'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_signed_spki_sha256'), ['spki_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_signed_timestamp_not_after'), ['timestamp_not_after'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_signed_timestamp_renew_after'), ['timestamp_renew_after'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_signed_unique_fqdn_set_id'), ['unique_fqdn_set_id'], unique=False)

    op.create_table('acme_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'ready', 'processing', 'valid', 'invalid', 'deactivated', 'expired', 'unknown', name='acmeorderstatus', native_enum=False, length=32), nullable=False),
    sa.Column('order_type', sa.Enum('new', 'renew_queue', 'renew_custom', 'renew_now', 'retry', 'queue_domains', 'autocert', 'certificate_if_needed', name='acmeordertype', native_enum=False, length=32), nullable=False),
    sa.Column('processing_strategy', sa.Enum('create_order', 'process_single', 'process_multi', name='processingstrategy', native_enum=False, length=32), nullable=False),
    sa.Column('processing_status', sa.Enum('created_local', 'created_acme', 'processing_started', 'finalizing', 'finalized', 'certificate_downloaded', 'completed_failure', name='processingstatus', native_enum=False, length=32), nullable=False),
    sa.Column('order_url', sa.String(length=512), nullable=True),
    sa.Column('finalize_url', sa.String(length=512), nullable=True),
    sa.Column('certificate_url', sa.String(length=512), nullable=True),
    sa.Column('is_auto_renew', sa.Boolean(), nullable=False),
    sa.Column('acme_account_id', sa.Integer(), nullable=False),
    sa.Column('unique_fqdn_set_id', sa.Integer(), nullable=False),
    sa.Column('private_key_id', sa.Integer(), nullable=True),
    sa.Column('private_key_cycle', sa.Enum('single_certificate', 'account_daily', 'account_weekly', 'global_daily', 'global_weekly', 'account_key_default', name='privatekeycycle', native_enum=False, length=32), nullable=False),
    sa.Column('private_key_technology', sa.Enum('RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_P256', 'EC_P384', name='keytechnology', native_enum=False, length=32), nullable=False),
    sa.Column('certificate_request_id', sa.Integer(), nullable=True),
    sa.Column('certificate_signed_id', sa.Integer(), nullable=True),
    sa.Column('acme_order_id__retry_of', sa.Integer(), nullable=True),
    sa.Column('acme_order_id__renewal_of', sa.Integer(), nullable=True),
    sa.Column('certificate_signed_id__replaces', sa.Integer(), nullable=True),
    sa.Column('replaces', sa.String(length=255), nullable=True),
    sa.Column('profile', sa.String(length=64), nullable=True),
    sa.Column('dns01_domains_json', sa.Text(), nullable=True),
    sa.Column('dns_provider_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('problem_json', sa.Text(), nullable=True),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.Column('timestamp_updated', sa.DateTime(), nullable=True),
    sa.Column('timestamp_expires', sa.DateTime(), nullable=True),
    sa.Column('timestamp_finalized', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['acme_account_id'], ['acme_account.id'], name=op.f('fk_acme_order_acme_account_id_acme_account')),
    sa.ForeignKeyConstraint(['acme_order_id__renewal_of'], ['acme_order.id'], name=op.f('fk_acme_order_acme_order_id__renewal_of_acme_order')),
    sa.ForeignKeyConstraint(['acme_order_id__retry_of'], ['acme_order.id'], name=op.f('fk_acme_order_acme_order_id__retry_of_acme_order')),
    sa.ForeignKeyConstraint(['certificate_request_id'], ['certificate_request.id'], name=op.f('fk_acme_order_certificate_request_id_certificate_request')),
    sa.ForeignKeyConstraint(['certificate_signed_id'], ['certificate_signed.id'], name=op.f('fk_acme_order_certificate_signed_id_certificate_signed')),
    sa.ForeignKeyConstraint(['certificate_signed_id__replaces'], ['certificate_signed.id'], name=op.f('fk_acme_order_certificate_signed_id__replaces_certificate_signed')),
    sa.ForeignKeyConstraint(['dns_provider_id'], ['dns_provider.id'], name=op.f('fk_acme_order_dns_provider_id_dns_provider')),
    sa.ForeignKeyConstraint(['private_key_id'], ['private_key.id'], name=op.f('fk_acme_order_private_key_id_private_key')),
    sa.ForeignKeyConstraint(['unique_fqdn_set_id'], ['unique_fqdn_set.id'], name=op.f('fk_acme_order_unique_fqdn_set_id_unique_fqdn_set')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acme_order')),
    sa.UniqueConstraint('certificate_signed_id', name=op.f('uq_acme_order_certificate_signed_id')),
    sa.UniqueConstraint('order_url', name=op.f('uq_acme_order_order_url'))
    )
    with op.batch_alter_table('acme_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acme_order_acme_account_id'), ['acme_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_order_certificate_request_id'), ['certificate_request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_order_certificate_signed_id__replaces'), ['certificate_signed_id__replaces'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_order_private_key_id'), ['private_key_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_order_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_order_timestamp_created'), ['timestamp_created'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_order_unique_fqdn_set_id'), ['unique_fqdn_set_id'], unique=False)

    op.create_table('ari_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_signed_id', sa.Integer(), nullable=False),
    sa.Column('is_success', sa.Boolean(), nullable=False),
    sa.Column('suggested_window_start', sa.DateTime(), nullable=True),
    sa.Column('suggested_window_end', sa.DateTime(), nullable=True),
    sa.Column('explanation_url', sa.String(length=512), nullable=True),
    sa.Column('timestamp_retry_after', sa.DateTime(), nullable=True),
    sa.Column('raw_response', sa.Text(), nullable=True),
    sa.Column('timestamp_checked', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_signed_id'], ['certificate_signed.id'], name=op.f('fk_ari_check_certificate_signed_id_certificate_signed')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ari_check'))
    )
    with op.batch_alter_table('ari_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ari_check_certificate_signed_id'), ['certificate_signed_id'], unique=False)

    op.create_table('certificate_signed_chain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_signed_id', sa.Integer(), nullable=False),
    sa.Column('certificate_ca_chain_id', sa.Integer(), nullable=False),
    sa.Column('is_upstream_default', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_ca_chain_id'], ['certificate_ca_chain.id'], name=op.f('fk_certificate_signed_chain_certificate_ca_chain_id_certificate_ca_chain')),
    sa.ForeignKeyConstraint(['certificate_signed_id'], ['certificate_signed.id'], name=op.f('fk_certificate_signed_chain_certificate_signed_id_certificate_signed')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_signed_chain')),
    sa.UniqueConstraint('certificate_signed_id', 'certificate_ca_chain_id', name=op.f('uq_certificate_signed_chain_certificate_signed_id_certificate_ca_chain_id'))
    )
    with op.batch_alter_table('certificate_signed_chain', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_signed_chain_certificate_ca_chain_id'), ['certificate_ca_chain_id'], unique=False)

    op.create_table('domain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('domain_name', sa.String(length=255), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('certificate_signed_id__latest_single', sa.Integer(), nullable=True),
    sa.Column('certificate_signed_id__latest_multi', sa.Integer(), nullable=True),
    sa.Column('timestamp_autocert_claimed_until', sa.DateTime(), nullable=True),
    sa.Column('timestamp_autocert_failed', sa.DateTime(), nullable=True),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_signed_id__latest_multi'], ['certificate_signed.id'], name=op.f('fk_domain_certificate_signed_id__latest_multi_certificate_signed')),
    sa.ForeignKeyConstraint(['certificate_signed_id__latest_single'], ['certificate_signed.id'], name=op.f('fk_domain_certificate_signed_id__latest_single_certificate_signed')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_domain')),
    sa.UniqueConstraint('domain_name', name=op.f('uq_domain_domain_name'))
    )
    with op.batch_alter_table('domain', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_domain_certificate_signed_id__latest_multi'), ['certificate_signed_id__latest_multi'], unique=False)
        batch_op.create_index(batch_op.f('ix_domain_certificate_signed_id__latest_single'), ['certificate_signed_id__latest_single'], unique=False)

    op.create_table('acme_authorization',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('authorization_url', sa.String(length=512), nullable=False),
    sa.Column('status', sa.Enum('pending', 'valid', 'invalid', 'deactivated', 'expired', 'revoked', 'unknown', name='acmeauthorizationstatus', native_enum=False, length=32), nullable=False),
    sa.Column('domain_id', sa.Integer(), nullable=True),
    sa.Column('is_wildcard', sa.Boolean(), nullable=False),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.Column('timestamp_updated', sa.DateTime(), nullable=True),
    sa.Column('timestamp_expires', sa.DateTime(), nullable=True),
    sa.Column('timestamp_deactivated', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['domain_id'], ['domain.id'], name=op.f('fk_acme_authorization_domain_id_domain')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acme_authorization')),
    sa.UniqueConstraint('authorization_url', name=op.f('uq_acme_authorization_authorization_url'))
    )
    with op.batch_alter_table('acme_authorization', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acme_authorization_domain_id'), ['domain_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_authorization_status'), ['status'], unique=False)

    op.create_table('dns_provider_domain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dns_provider_id', sa.Integer(), nullable=False),
    sa.Column('domain_id', sa.Integer(), nullable=False),
    sa.Column('credentials_json', sa.Text(), nullable=False),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dns_provider_id'], ['dns_provider.id'], name=op.f('fk_dns_provider_domain_dns_provider_id_dns_provider')),
    sa.ForeignKeyConstraint(['domain_id'], ['domain.id'], name=op.f('fk_dns_provider_domain_domain_id_domain')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dns_provider_domain')),
    sa.UniqueConstraint('dns_provider_id', 'domain_id', name=op.f('uq_dns_provider_domain_dns_provider_id_domain_id'))
    )
    with op.batch_alter_table('dns_provider_domain', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dns_provider_domain_domain_id'), ['domain_id'], unique=False)

    op.create_table('queue_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'claimed', 'done', 'failed', 'cancelled', name='queuestatus', native_enum=False, length=32), nullable=False),
    sa.Column('unique_fqdn_set_id', sa.Integer(), nullable=False),
    sa.Column('certificate_signed_id', sa.Integer(), nullable=True),
    sa.Column('acme_order_id__source', sa.Integer(), nullable=True),
    sa.Column('acme_order_id__generated', sa.Integer(), nullable=True),
    sa.Column('acme_account_id', sa.Integer(), nullable=True),
    sa.Column('private_key_cycle', sa.Enum('single_certificate', 'account_daily', 'account_weekly', 'global_daily', 'global_weekly', 'account_key_default', name='privatekeycycle', native_enum=False, length=32), nullable=True),
    sa.Column('private_key_technology', sa.Enum('RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_P256', 'EC_P384', name='keytechnology', native_enum=False, length=32), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('claimed_by', sa.String(length=128), nullable=True),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.Column('timestamp_not_before', sa.DateTime(), nullable=True),
    sa.Column('timestamp_claimed', sa.DateTime(), nullable=True),
    sa.Column('timestamp_processed', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['acme_account_id'], ['acme_account.id'], name=op.f('fk_queue_certificate_acme_account_id_acme_account')),
    sa.ForeignKeyConstraint(['acme_order_id__generated'], ['acme_order.id'], name=op.f('fk_queue_certificate_acme_order_id__generated_acme_order')),
    sa.ForeignKeyConstraint(['acme_order_id__source'], ['acme_order.id'], name=op.f('fk_queue_certificate_acme_order_id__source_acme_order')),
    sa.ForeignKeyConstraint(['certificate_signed_id'], ['certificate_signed.id'], name=op.f('fk_queue_certificate_certificate_signed_id_certificate_signed')),
    sa.ForeignKeyConstraint(['unique_fqdn_set_id'], ['unique_fqdn_set.id'], name=op.f('fk_queue_certificate_unique_fqdn_set_id_unique_fqdn_set')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_certificate'))
    )
    with op.batch_alter_table('queue_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_certificate_acme_order_id__source'), ['acme_order_id__source'], unique=False)
        batch_op.create_index(batch_op.f('ix_queue_certificate_certificate_signed_id'), ['certificate_signed_id'], unique=False)
        batch_op.create_index('ix_queue_certificate_claimable', ['status', 'timestamp_not_before'], unique=False)
        batch_op.create_index(batch_op.f('ix_queue_certificate_unique_fqdn_set_id'), ['unique_fqdn_set_id'], unique=False)

    op.create_table('queue_domain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('domain_name', sa.String(length=255), nullable=False),
    sa.Column('status', sa.Enum('queued', 'claimed', 'done', 'failed', 'cancelled', name='queuestatus', native_enum=False, length=32), nullable=False),
    sa.Column('acme_order_id', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.Column('timestamp_processed', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['acme_order_id'], ['acme_order.id'], name=op.f('fk_queue_domain_acme_order_id_acme_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_domain'))
    )
    with op.batch_alter_table('queue_domain', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_domain_acme_order_id'), ['acme_order_id'], unique=False)
        batch_op.create_index('ix_queue_domain_status_name', ['status', 'domain_name'], unique=False)

    op.create_table('unique_fqdn_set_2_domain',
    sa.Column('unique_fqdn_set_id', sa.Integer(), nullable=False),
    sa.Column('domain_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['domain_id'], ['domain.id'], name=op.f('fk_unique_fqdn_set_2_domain_domain_id_domain')),
    sa.ForeignKeyConstraint(['unique_fqdn_set_id'], ['unique_fqdn_set.id'], name=op.f('fk_unique_fqdn_set_2_domain_unique_fqdn_set_id_unique_fqdn_set')),
    sa.PrimaryKeyConstraint('unique_fqdn_set_id', 'domain_id', name=op.f('pk_unique_fqdn_set_2_domain'))
    )
    with op.batch_alter_table('unique_fqdn_set_2_domain', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unique_fqdn_set_2_domain_domain_id'), ['domain_id'], unique=False)

    op.create_table('acme_challenge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acme_authorization_id', sa.Integer(), nullable=True),
    sa.Column('acme_orderless_id', sa.Integer(), nullable=True),
    sa.Column('domain_id', sa.Integer(), nullable=False),
    sa.Column('challenge_type', sa.Enum('http-01', 'dns-01', 'tls-alpn-01', name='acmechallengetype', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('pending', 'processing', 'valid', 'invalid', 'unknown', name='acmechallengestatus', native_enum=False, length=32), nullable=False),
    sa.Column('challenge_url', sa.String(length=512), nullable=True),
    sa.Column('token', sa.String(length=255), nullable=False),
    sa.Column('keyauthorization', sa.String(length=512), nullable=True),
    sa.Column('count_polls', sa.Integer(), nullable=False),
    sa.Column('timestamp_created', sa.DateTime(), nullable=False),
    sa.Column('timestamp_updated', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['acme_authorization_id'], ['acme_authorization.id'], name=op.f('fk_acme_challenge_acme_authorization_id_acme_authorization')),
    sa.ForeignKeyConstraint(['acme_orderless_id'], ['acme_orderless.id'], name=op.f('fk_acme_challenge_acme_orderless_id_acme_orderless')),
    sa.ForeignKeyConstraint(['domain_id'], ['domain.id'], name=op.f('fk_acme_challenge_domain_id_domain')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acme_challenge')),
    sa.UniqueConstraint('challenge_url', name=op.f('uq_acme_challenge_challenge_url'))
    )
    with op.batch_alter_table('acme_challenge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acme_challenge_acme_authorization_id'), ['acme_authorization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_challenge_acme_orderless_id'), ['acme_orderless_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_acme_challenge_domain_id'), ['domain_id'], unique=False)
        batch_op.create_index('ix_acme_challenge_token_status', ['token', 'status'], unique=False)

    op.create_table('acme_order_2_acme_authorization',
    sa.Column('acme_order_id', sa.Integer(), nullable=False),
    sa.Column('acme_authorization_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['acme_authorization_id'], ['acme_authorization.id'], name=op.f('fk_acme_order_2_acme_authorization_acme_authorization_id_acme_authorization')),
    sa.ForeignKeyConstraint(['acme_order_id'], ['acme_order.id'], name=op.f('fk_acme_order_2_acme_authorization_acme_order_id_acme_order')),
    sa.PrimaryKeyConstraint('acme_order_id', 'acme_authorization_id', name=op.f('pk_acme_order_2_acme_authorization'))
    )
    with op.batch_alter_table('acme_order_2_acme_authorization', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acme_order_2_acme_authorization_acme_authorization_id'), ['acme_authorization_id'], unique=False)

    op.create_table('acme_challenge_poll',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acme_challenge_id', sa.Integer(), nullable=False),
    sa.Column('remote_ip_address', sa.String(length=64), nullable=True),
    sa.Column('timestamp_polled', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['acme_challenge_id'], ['acme_challenge.id'], name=op.f('fk_acme_challenge_poll_acme_challenge_id_acme_challenge')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acme_challenge_poll'))
    )
    with op.batch_alter_table('acme_challenge_poll', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acme_challenge_poll_acme_challenge_id'), ['acme_challenge_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('acme_challenge_poll', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acme_challenge_poll_acme_challenge_id'))

    op.drop_table('acme_challenge_poll')
    with op.batch_alter_table('acme_order_2_acme_authorization', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acme_order_2_acme_authorization_acme_authorization_id'))

    op.drop_table('acme_order_2_acme_authorization')
    with op.batch_alter_table('acme_challenge', schema=None) as batch_op:
        batch_op.drop_index('ix_acme_challenge_token_status')
        batch_op.drop_index(batch_op.f('ix_acme_challenge_domain_id'))
        batch_op.drop_index(batch_op.f('ix_acme_challenge_acme_orderless_id'))
        batch_op.drop_index(batch_op.f('ix_acme_challenge_acme_authorization_id'))

    op.drop_table('acme_challenge')
    with op.batch_alter_table('unique_fqdn_set_2_domain', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unique_fqdn_set_2_domain_domain_id'))

    op.drop_table('unique_fqdn_set_2_domain')
    with op.batch_alter_table('queue_domain', schema=None) as batch_op:
        batch_op.drop_index('ix_queue_domain_status_name')
        batch_op.drop_index(batch_op.f('ix_queue_domain_acme_order_id'))

    op.drop_table('queue_domain')
    with op.batch_alter_table('queue_certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_certificate_unique_fqdn_set_id'))
        batch_op.drop_index('ix_queue_certificate_claimable')
        batch_op.drop_index(batch_op.f('ix_queue_certificate_certificate_signed_id'))
        batch_op.drop_index(batch_op.f('ix_queue_certificate_acme_order_id__source'))

    op.drop_table('queue_certificate')
    with op.batch_alter_table('dns_provider_domain', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dns_provider_domain_domain_id'))

    op.drop_table('dns_provider_domain')
    with op.batch_alter_table('acme_authorization', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acme_authorization_status'))
        batch_op.drop_index(batch_op.f('ix_acme_authorization_domain_id'))

    op.drop_table('acme_authorization')
    with op.batch_alter_table('domain', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_domain_certificate_signed_id__latest_single'))
        batch_op.drop_index(batch_op.f('ix_domain_certificate_signed_id__latest_multi'))

    op.drop_table('domain')
    with op.batch_alter_table('certificate_signed_chain', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_signed_chain_certificate_ca_chain_id'))

    op.drop_table('certificate_signed_chain')
    with op.batch_alter_table('ari_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ari_check_certificate_signed_id'))

    op.drop_table('ari_check')
    with op.batch_alter_table('acme_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acme_order_unique_fqdn_set_id'))
        batch_op.drop_index(batch_op.f('ix_acme_order_timestamp_created'))
        batch_op.drop_index(batch_op.f('ix_acme_order_status'))
        batch_op.drop_index(batch_op.f('ix_acme_order_private_key_id'))
        batch_op.drop_index(batch_op.f('ix_acme_order_certificate_signed_id__replaces'))
        batch_op.drop_index(batch_op.f('ix_acme_order_certificate_request_id'))
        batch_op.drop_index(batch_op.f('ix_acme_order_acme_account_id'))

    op.drop_table('acme_order')
    with op.batch_alter_table('certificate_signed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_signed_unique_fqdn_set_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_signed_timestamp_renew_after'))
        batch_op.drop_index(batch_op.f('ix_certificate_signed_timestamp_not_after'))
        batch_op.drop_index(batch_op.f('ix_certificate_signed_spki_sha256'))
        batch_op.drop_index('ix_certificate_signed_set_expiry')
        batch_op.drop_index(batch_op.f('ix_certificate_signed_serial'))
        batch_op.drop_index(batch_op.f('ix_certificate_signed_private_key_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_signed_certificate_request_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_signed_authority_key_identifier'))
        batch_op.drop_index(batch_op.f('ix_certificate_signed_ari_identifier'))
        batch_op.drop_index('ix_certificate_signed_active_expiry')

    op.drop_table('certificate_signed')
    with op.batch_alter_table('certificate_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_request_unique_fqdn_set_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_request_spki_sha256'))
        batch_op.drop_index(batch_op.f('ix_certificate_request_private_key_id'))

    op.drop_table('certificate_request')
    with op.batch_alter_table('rate_limited', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limited_unique_fqdn_set_id'))
        batch_op.drop_index(batch_op.f('ix_rate_limited_timestamp_retry_after'))
        batch_op.drop_index(batch_op.f('ix_rate_limited_acme_server_id'))
        batch_op.drop_index(batch_op.f('ix_rate_limited_acme_account_id'))

    op.drop_table('rate_limited')
    with op.batch_alter_table('private_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_private_key_key_pem_md5'))
        batch_op.drop_index('ix_private_key_cycle_lookup')

    op.drop_table('private_key')
    with op.batch_alter_table('certificate_ca_chain_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_ca_chain_item_certificate_ca_id'))

    op.drop_table('certificate_ca_chain_item')
    with op.batch_alter_table('acme_orderless', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acme_orderless_acme_account_id'))

    op.drop_table('acme_orderless')
    with op.batch_alter_table('acme_account_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acme_account_key_key_pem_md5'))
        batch_op.drop_index(batch_op.f('ix_acme_account_key_jwk_thumbprint'))
        batch_op.drop_index(batch_op.f('ix_acme_account_key_acme_account_id'))

    op.drop_table('acme_account_key')
    with op.batch_alter_table('operations_object_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operations_object_event_operations_event_id'))
        batch_op.drop_index('ix_operations_object_event_object')

    op.drop_table('operations_object_event')
    op.drop_table('certificate_ca_preference')
    with op.batch_alter_table('certificate_ca_chain', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_ca_chain_certificate_ca_n_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_ca_chain_certificate_ca_0_id'))

    op.drop_table('certificate_ca_chain')
    with op.batch_alter_table('acme_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acme_account_contact'))
        batch_op.drop_index(batch_op.f('ix_acme_account_acme_server_id'))

    op.drop_table('acme_account')
    op.drop_table('unique_fqdn_set')
    with op.batch_alter_table('operations_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operations_event_timestamp_event'))
        batch_op.drop_index(batch_op.f('ix_operations_event_operations_event_id__child_of'))
        batch_op.drop_index(batch_op.f('ix_operations_event_event_type'))

    op.drop_table('operations_event')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_timestamp_sent'))
        batch_op.drop_index(batch_op.f('ix_notification_notification_type'))
        batch_op.drop_index(batch_op.f('ix_notification_dedupe_key'))

    op.drop_table('notification')
    op.drop_table('dns_provider')
    with op.batch_alter_table('certificate_ca', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_ca_subject_key_identifier'))
        batch_op.drop_index(batch_op.f('ix_certificate_ca_spki_sha256'))
        batch_op.drop_index(batch_op.f('ix_certificate_ca_authority_key_identifier'))

    op.drop_table('certificate_ca')
    op.drop_table('admin_api_token')
    with op.batch_alter_table('acme_server', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acme_server_server'))

    op.drop_table('acme_server')
    with op.batch_alter_table('acme_event_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acme_event_log_timestamp_event'))
        batch_op.drop_index(batch_op.f('ix_acme_event_log_result'))
        batch_op.drop_index(batch_op.f('ix_acme_event_log_certificate_signed_id'))
        batch_op.drop_index(batch_op.f('ix_acme_event_log_acme_server_id'))
        batch_op.drop_index(batch_op.f('ix_acme_event_log_acme_order_id'))
        batch_op.drop_index(batch_op.f('ix_acme_event_log_acme_event'))
        batch_op.drop_index(batch_op.f('ix_acme_event_log_acme_challenge_id'))
        batch_op.drop_index(batch_op.f('ix_acme_event_log_acme_authorization_id'))
        batch_op.drop_index(batch_op.f('ix_acme_event_log_acme_account_id'))

    op.drop_table('acme_event_log')
    op.drop_table('acme_challenge_unknown_poll')
