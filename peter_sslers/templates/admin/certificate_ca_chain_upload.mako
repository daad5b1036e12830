<%inherit file="/admin/upload_form.mako"/>
<%! heading = "Upload a CA chain" %>
