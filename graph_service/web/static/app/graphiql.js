// GraphiQL on /graphql, from the vendored copy. The investigator's key comes from the
// workbench's session (same origin) when there is one; it is never written to localStorage
// (shouldPersistHeaders: false), so it ends with the browser session as on the workbench.
(function () {
  "use strict";
  const KEY = "credit-graph.key";
  const key = window.sessionStorage.getItem(KEY);
  const headers = key ? JSON.stringify({ "X-API-Key": key }, null, 2) : '{\n  "X-API-Key": ""\n}';
  const example = [
    "# credit-graph: the investigator GraphQL API (docs/graphql.md).",
    "# Put an investigator key in the Headers tab below (the workbench's key is filled in).",
    "",
    "query Search($text: String!) {",
    "  searchParties(text: $text, first: 5) {",
    "    ... on SearchHitConnection { nodes { score party { id name } } }",
    "    ... on InvalidInputError { argument message }",
    "  }",
    "}",
    "",
  ].join("\n");
  const fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: example,
      defaultVariables: '{\n  "text": "华北"\n}',
      defaultHeaders: headers,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: true,
    }),
  );
})();
