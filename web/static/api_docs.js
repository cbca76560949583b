// API 文档: Swagger UI over /api/v1/openapi.json. "Try it out" runs as the signed-in user: the session cookie
// goes along and writes carry the page's CSRF token (the <meta name="csrf-token"> of base.html).
(function () {
  "use strict";

  var el = document.getElementById("zg-api-docs");
  if (!el || !window.SwaggerUIBundle) { return; }
  var meta = document.querySelector("meta[name=csrf-token]");
  var csrf = meta ? meta.getAttribute("content") : "";

  window.SwaggerUIBundle({
    url: el.getAttribute("data-spec-url"),
    domNode: el,
    deepLinking: false,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    validatorUrl: null,
    onComplete: function () {  // Swagger UI leaves its server list unlabelled
      var servers = el.querySelector("#servers");
      if (servers) { servers.setAttribute("aria-label", el.getAttribute("data-servers-label") || "Servers"); }
    },
    requestInterceptor: function (req) {
      if (req.method && req.method.toUpperCase() !== "GET" && csrf) { req.headers["X-CSRFToken"] = csrf; }
      return req;
    }
  });
})();
