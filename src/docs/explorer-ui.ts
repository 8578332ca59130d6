/**
 * Browser code added to the Swagger UI page at /docs (plain ES2017, kept as a string so that no
 * build or coverage step rewrites it). It registers one Swagger UI plugin that:
 *
 * - keeps form values strings: Swagger UI's request builder runs JSON.parse on every form field,
 *   so the all-digit RFC 4226 key `3132…3930` would leave as `3.132333435363738e+39` and `1234`
 *   as a number; handing it the form as one JSON text keeps every value exactly as typed;
 * - after a content-type switch, starts the body afresh from the example (Swagger UI would show
 *   the form's internal state as JSON);
 * - shows the QR codes of an answer: every `data:image/png;base64,…` string in a JSON response
 *   (`detail.googleurl.img` of /token/init, …) is drawn as a picture under the response body.
 *   They exist only in that one answer, like the key itself: nothing stores them for later.
 */
export const EXPLORER_UI_JS = String.raw`
(function () {
  'use strict';
  var FORM = 'application/x-www-form-urlencoded';
  var IMAGE = /^data:image\/(png|gif|jpeg);base64,[A-Za-z0-9+\/=]+$/;

  function images(value, path, out) {
    if (out.length >= 8 || value === null) return out;
    if (typeof value === 'string') {
      if (IMAGE.test(value)) out.push({ path: path, src: value });
    } else if (typeof value === 'object') {
      Object.keys(value).forEach(function (k) {
        images(value[k], path ? path + '.' + k : k, out);
      });
    }
    return out;
  }

  function ExplorerPlugin(system) {
    var execute = system.fn.execute;
    return {
      fn: {
        execute: function (req) {
          if (req && req.requestContentType === FORM && req.requestBody &&
              typeof req.requestBody === 'object') {
            req = Object.assign({}, req, { requestBody: JSON.stringify(req.requestBody) });
          }
          return execute(req);
        },
      },
      statePlugins: {
        oas3: {
          wrapActions: {
            setRequestContentType: function (original, sys) {
              return function (payload) {
                var result = original(payload);
                if (payload && payload.pathMethod) {
                  sys.oas3Actions.setRequestBodyValue({ value: undefined, pathMethod: payload.pathMethod });
                }
                return result;
              };
            },
          },
        },
      },
      wrapComponents: {
        responseBody: function (Original, sys) {
          var React = sys.React;
          return function (props) {
            var found = [];
            var text = props.content;
            if (typeof text === 'string' && text.indexOf('data:image/') >= 0) {
              try { found = images(JSON.parse(text), '', []); } catch (e) { found = []; }
            } else if (text && typeof text === 'object') {
              found = images(text, '', []);
            }
            var body = React.createElement(Original, props);
            if (found.length === 0) return body;
            return React.createElement('div', null, body,
              React.createElement('div', { className: 'explorer-qr-codes' },
                React.createElement('h5', null, 'QR codes in this answer (scan with the app; shown once, never stored)'),
                found.map(function (img) {
                  return React.createElement('figure', { key: img.path, className: 'explorer-qr' },
                    React.createElement('img', { src: img.src, alt: img.path, 'data-path': img.path }),
                    React.createElement('figcaption', null, img.path));
                })));
          };
        },
      },
    };
  }

  var original = window.SwaggerUIBundle;
  if (!original) return;
  var patched = function (options) {
    options.plugins = (options.plugins || []).concat([ExplorerPlugin]);
    return original(options);
  };
  Object.keys(original).forEach(function (k) { patched[k] = original[k]; });
  window.SwaggerUIBundle = patched;
})();
`;

export const EXPLORER_CSS = `
.swagger-ui .explorer-qr-codes { display: flex; flex-wrap: wrap; gap: 16px; margin: 12px 0; }
.swagger-ui .explorer-qr-codes h5 { flex-basis: 100%; margin: 0; }
.swagger-ui .explorer-qr { margin: 0; text-align: center; font-family: monospace; font-size: 12px; }
.swagger-ui .explorer-qr img { display: block; width: 200px; height: 200px; image-rendering: pixelated; background: #fff; }
`;
