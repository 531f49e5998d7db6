
/*
 * Generated from templates/article.html by tools/embed-template; do not edit.
 */


#ifndef _NGX_HTTP_NEWS_DEFAULT_TEMPLATE_H_INCLUDED_
#define _NGX_HTTP_NEWS_DEFAULT_TEMPLATE_H_INCLUDED_


static ngx_str_t  ngx_http_news_default_template = ngx_string(
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-s"
    "cale=1\">\n"
    "<title>{{title}}{{#site_name}} | {{site_name}}{{/site_name}}"
    "</title>\n"
    "{{#summary}}<meta name=\"description\" content=\"{{summary}}\">\n"
    "{{/summary}}<link rel=\"canonical\" href=\"{{url}}\">\n"
    "<style>\n"
    "body{margin:0;font:18px/1.6 Georgia,serif;color:#1a1a1a;back"
    "ground:#fff}\n"
    "header.site{border-bottom:3px solid #1a1a1a;padding:.8em 1em"
    "}\n"
    "header.site a{font:700 1.4em/1 Helvetica,Arial,sans-serif;co"
    "lor:#1a1a1a;text-decoration:none}\n"
    "main{max-width:44em;margin:0 auto;padding:1em}\n"
    ".category{font:700 .85em Helvetica,Arial,sans-serif;text-tra"
    "nsform:uppercase;color:#b00}\n"
    "h1{font-size:2em;line-height:1.2;margin:.3em 0}\n"
    ".meta{font:.9em Helvetica,Arial,sans-serif;color:#555}\n"
    ".meta span{margin-right:1.2em}\n"
    "figure{margin:1.2em 0}\n"
    "figure img{width:100%;height:auto}\n"
    ".share{font:.9em Helvetica,Arial,sans-serif;margin:1em 0}\n"
    ".share a{margin-right:.8em}\n"
    ".credit{font:italic .85em Helvetica,Arial,sans-serif;color:#"
    "555}\n"
    "</style>\n"
    "</head>\n"
    "<body>\n"
    "<header class=\"site\"><a href=\"/\">{{site_name}}</a></header>\n"
    "<main>\n"
    "<article>\n"
    "{{#category}}<p class=\"category\">{{category}}</p>\n"
    "{{/category}}<h1>{{title}}</h1>\n"
    "<p class=\"meta\">{{#published}}<span class=\"published\">Publis"
    "hed On {{published}}</span>{{/published}}{{#author}}<span cl"
    "ass=\"author\">{{author}}</span>{{/author}}<span class=\"views\""
    ">{{views_label}}</span></p>\n"
    "{{#image}}<figure><img src=\"{{image}}\" alt=\"{{image_alt}}\"><"
    "/figure>\n"
    "{{/image}}<nav class=\"share\" aria-label=\"Share\">Share\n"
    "<a href=\"{{share_x}}\" rel=\"noopener\" target=\"_blank\">X</a>\n"
    "<a href=\"{{share_facebook}}\" rel=\"noopener\" target=\"_blank\">"
    "Facebook</a>\n"
    "<a href=\"{{share_whatsapp}}\" rel=\"noopener\" target=\"_blank\">"
    "WhatsApp</a>\n"
    "<a href=\"{{share_linkedin}}\" rel=\"noopener\" target=\"_blank\">"
    "LinkedIn</a>\n"
    "</nav>\n"
    "<div class=\"body\">\n"
    "{{{body_html}}}</div>\n"
    "{{#image_credit}}<p class=\"credit\">Disclaimer: {{image_credi"
    "t}}</p>\n"
    "{{/image_credit}}</article>\n"
    "</main>\n"
    "</body>\n"
    "</html>\n"
);


#endif /* _NGX_HTTP_NEWS_DEFAULT_TEMPLATE_H_INCLUDED_ */
