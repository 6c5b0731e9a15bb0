import * as apis from './generated/apis/index.js';
import { type ErrorBody, type ErrorCode, instanceOfErrorBody } from './generated/models/index.js';
import { BaseAPI, Configuration, type Middleware } from './generated/runtime.js';

export * from './generated/apis/index.js';
export * from './generated/models/index.js';
export { Configuration, FetchError, RequiredError } from './generated/runtime.js';

export interface ClientOptions {
  /** Where the API is served, such as `https://apps.example.com`. */
  baseUrl: string;
  /** An API key; sent as `authorization: Bearer <key>`. */
  apiKey: string;
  /** Headers sent with every request, such as a fixed `x-request-id`. */
  headers?: Record<string, string>;
  /** The fetch to use; the global one by default. */
  fetch?: typeof fetch;
}

type Apis = typeof apis;
type ApiName<Export> = Export extends `${infer Router}Api` ? Uncapitalize<Router> : never;

/** One generated API per router of the contract: `client.app.listApps()`, `client.health.readyz()`, ... */
export type Client = {
  [Export in keyof Apis as Apis[Export] extends new (
    configuration?: Configuration,
  ) => BaseAPI
    ? ApiName<Export>
    : never]: Apis[Export] extends new (configuration?: Configuration) => infer Api ? Api : never;
};

/** What the API answered when it did not answer 2xx: the error envelope, typed. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** The HTTP status. */
  readonly status: number;
  /** The machine-readable code; `unexpected_response` when the body was not the API's envelope (a proxy's page, say). */
  readonly code: ErrorCode | 'unexpected_response';
  /** The human-readable message. */
  readonly error: string;
  /** On validation errors, `issues` names every failing field. */
  readonly details: ErrorBody['details'];
  /** The request's id, as in the `x-request-id` response header. */
  readonly requestId: string;
  /** The envelope as received; undefined when the body was not one. */
  readonly body: ErrorBody | undefined;

  constructor(status: number, body: ErrorBody | undefined, requestId: string) {
    const code = body?.code ?? 'unexpected_response';
    const error = body?.error ?? `Unexpected response with status ${status}`;
    super(`${status} ${code}: ${error}`);
    this.status = status;
    this.code = code;
    this.error = error;
    this.details = body?.details;
    this.requestId = body?.request_id ?? requestId;
    this.body = body;
  }

  static async fromResponse(response: Response): Promise<ApiError> {
    let body: unknown;
    try {
      body = JSON.parse(await response.text());
    } catch {
      body = undefined;
    }
    const envelope = typeof body === 'object' && body !== null && instanceOfErrorBody(body) ? body : undefined;
    return new ApiError(response.status, envelope, response.headers.get('x-request-id') ?? '');
  }
}

/** Turns every non-2xx answer into an ApiError before the generated code sees it. */
const throwApiErrors: Middleware = {
  async post({ response }) {
    if (response.status >= 400) throw await ApiError.fromResponse(response);
    return response;
  },
};

function isApiClass(value: unknown): value is new (configuration: Configuration) => BaseAPI {
  return typeof value === 'function' && value.prototype instanceof BaseAPI;
}

/** A client of every router of the API, authenticated with `apiKey`; errors are thrown as ApiError. */
export function createClient({ baseUrl, apiKey, headers, fetch }: ClientOptions): Client {
  const configuration = new Configuration({
    basePath: baseUrl.replace(/\/+$/, ''),
    headers: { ...headers, authorization: `Bearer ${apiKey}` },
    middleware: [throwApiErrors],
    ...(fetch ? { fetchApi: fetch } : {}),
  });
  const client: Record<string, BaseAPI> = {};
  for (const [name, Api] of Object.entries(apis)) {
    if (isApiClass(Api) && name.endsWith('Api')) {
      client[name.charAt(0).toLowerCase() + name.slice(1, -'Api'.length)] = new Api(configuration);
    }
  }
  return client as Client;
}
