// The site's paths at the edge: a CloudFront Function (cloudfront-js-2.0) on the distribution's
// default behaviour (the web bucket) for both viewer events; /api/* has none. template.yaml holds
// this file as SiteFunction's code (a test keeps the two equal) and CloudFormation writes the
// SiteFiles parameter (the site's files, comma-separated, from make deploy) into FILES.
// Viewer request: "/" and a directory path ask for its index.html, as DefaultRootObject does for
// "/"; a path that is no file of the site asks for 404.html (the bucket would answer 403 XML).
// Viewer response: that page goes out with status 404. The response event's request is the path
// as sent or as rewritten: either way it is no file of the site, or it is 404.html. Only a 200 is
// changed (a 304 stays one; CloudFront runs no viewer-response function on a 4xx or 5xx).
// An empty SiteFiles leaves every path as it was asked for.
var FILES = '${SiteFiles}';
var NOT_FOUND = '/404.html';
var known = {};
FILES.split(',').forEach(function (name) {
  if (name) {
    known['/' + name] = true;
  }
});

function wanted(uri) {
  return uri.charAt(uri.length - 1) === '/' ? uri + 'index.html' : uri;
}

function found(uri) {
  return FILES === '' || known[uri] === true;
}

function handler(event) {
  if (event.context.eventType === 'viewer-response') {
    var response = event.response;
    var uri = wanted(event.request.uri);
    if (response.statusCode === 200 && (uri === NOT_FOUND || !found(uri))) {
      response.statusCode = 404;
      response.statusDescription = 'Not Found';
    }
    return response;
  }
  var request = event.request;
  var path = wanted(request.uri);
  request.uri = found(path) ? path : NOT_FOUND;
  return request;
}
