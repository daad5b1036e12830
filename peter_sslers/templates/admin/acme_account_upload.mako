<%inherit file="/admin/upload_form.mako"/>
<%! heading = "Upload an ACME account" %>
