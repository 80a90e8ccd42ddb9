/**
 * A local HTTP receiver for deliveries: records every request (method, path, headers, body) and answers with the
 * statuses a test scripts (`answers`, in order; 200 once they run out).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request received. */
export interface ReceivedRequest {
    /** `POST`. */
    method: string;
    /** Path and query. */
    path: string;
    /** The headers. */
    headers: IncomingHttpHeaders;
    /** The body as text. */
    body: string;
}

/** A running receiver. */
export interface HttpReceiver {
    /** `http://127.0.0.1:<port>`. */
    url: string;
    /** Every request so far. */
    requests: ReceivedRequest[];
    /** Statuses to answer next, in order. */
    answers: number[];
    /** Stops the server. */
    close(): Promise<void>;
}

/** Starts a receiver on a free local port. */
export async function startHttpReceiver(): Promise<HttpReceiver> {
    const requests: ReceivedRequest[] = [];
    const answers: number[] = [];
    const server: Server = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
            requests.push({
                method: request.method ?? '',
                path: request.url ?? '',
                headers: request.headers,
                body: Buffer.concat(chunks).toString('utf8'),
            });
            response.statusCode = answers.shift() ?? 200;
            response.end('ok');
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        requests,
        answers,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}
