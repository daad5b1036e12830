<%inherit file="/base.mako"/>
<%def name="title()">Settings</%def>
<p>Values in force, read from the ini file at start-up. Change them there and restart.</p>
<table class="table table-sm table-striped">
  <thead><tr><th>Option</th><th>Value</th><th>Default</th><th>What it does</th></tr></thead>
  <tbody>
% for row in settings:
    <tr>
      <td><code>${row['option']}</code></td>
      <td>${'' if row['value'] is None else row['value']}</td>
      <td>${row['default']}</td>
      <td>${row['help']}</td>
    </tr>
% endfor
  </tbody>
</table>
