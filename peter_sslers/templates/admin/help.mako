<%inherit file="/base.mako"/>
<%def name="title()">Help</%def>
% for section in sections:
<section class="mb-3">
  <h2>${section['title']}</h2>
  % for paragraph in section['paragraphs']:
  <p>${paragraph}</p>
  % endfor
</section>
% endfor
