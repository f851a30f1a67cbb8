// The public API, as any integrator calls it: GraphQL at /graphql and REST under /v1, with the
// investigator's key in the X-API-Key header (docs/security.md). The key lives in
// sessionStorage only: it ends with the browser session and is never written to disk.

const KEY = "credit-graph.key";
export const KEY_HEADER = "X-API-Key";

/** Failures the page explains to its user; `code` is the service's error code. */
export class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** The key was refused (expired, revoked, unknown): the user must sign in again. */
export class SignedOut extends ApiError {}

export const session = {
  key: () => sessionStorage.getItem(KEY),
  signIn: (key) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};

// One listener (main.js) sends the user back to sign-in when any request is refused.
let onSignedOut = () => {};
export function whenSignedOut(handler) {
  onSignedOut = handler;
}

async function send(path, options = {}, key = session.key()) {
  const headers = { ...(options.headers || {}) };
  if (key) headers[KEY_HEADER] = key;
  let response;
  try {
    response = await fetch(path, { ...options, headers, credentials: "omit" });
  } catch (error) {
    throw new ApiError(`The service did not answer (${error.message}).`, "network", 0);
  }
  if (response.ok) return response;
  throw await refusal(response);
}

async function refusal(response) {
  let body = {};
  try {
    body = await response.clone().json();
  } catch {
    body = { message: await response.text() };
  }
  const code = body.error || body.errors?.[0]?.extensions?.code || `http_${response.status}`;
  const message = body.message || body.errors?.[0]?.message || response.statusText;
  if (response.status === 401) {
    const error = new SignedOut(message, "unauthenticated", 401);
    onSignedOut(error);
    return error;
  }
  if (response.status === 429) {
    const wait = response.headers.get("Retry-After") || "a few";
    return new ApiError(`Too many requests: try again in ${wait} s.`, code, 429);
  }
  return new ApiError(message, code, response.status);
}

/** The caller a key belongs to (GET /v1/me); throws SignedOut for a refused key. */
export async function whoAmI(key) {
  const response = await send("/v1/me", {}, key);
  return response.json();
}

/** Runs one GraphQL operation and returns its `data`; GraphQL errors become ApiErrors. */
export async function gql(query, variables = {}) {
  const response = await send("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors?.length) {
    const first = body.errors[0];
    const code = first.extensions?.code || "graphql";
    if (code === "unauthenticated") {
      const error = new SignedOut(first.message, code, 401);
      onSignedOut(error);
      throw error;
    }
    throw new ApiError(first.message, code, 200);
  }
  return body.data;
}

/** GET of a REST route, as JSON. */
export async function rest(path) {
  return (await send(path)).json();
}

/** GET of a REST route as a file: its Blob and the file name the service proposes. */
export async function file(path, fallbackName) {
  const response = await send(path);
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = match ? decodeURIComponent(match[1]) : fallbackName;
  return { blob: await response.blob(), name };
}

/** The member of a result union, or an ApiError for InvalidInputError (bad input). */
export function unwrap(result, what) {
  if (result && result.__typename === "InvalidInputError") {
    throw new ApiError(`${what}: ${result.argument} ${result.message}`, "invalid_input", 200);
  }
  return result;
}
