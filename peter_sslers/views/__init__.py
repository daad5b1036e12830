"""Views: thin adapters from requests to the lib layer; one module per resource."""
