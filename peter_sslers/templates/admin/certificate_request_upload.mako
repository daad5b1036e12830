<%inherit file="/admin/upload_form.mako"/>
<%! heading = "Upload a certificate request" %>
