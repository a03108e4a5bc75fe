/**
 * A stand-in for the SNS endpoint the function publishes to, for integration tests: it
 * records every `Publish` (the AWS query protocol: a form-encoded POST, an XML answer) or
 * refuses them all with `AuthorizationError`, as SNS does for a caller without
 * `sns:Publish` on the topic.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../emulator/http-io';

/** One message the topic received. */
export interface PublishedMessage {
  readonly TopicArn?: string;
  readonly Subject?: string;
  readonly Message?: string;
  readonly MessageStructure?: string;
}

export interface LocalSns {
  /** For `AWS_ENDPOINT_URL_SNS`. */
  readonly endpoint: string;
  /** Messages accepted so far, in order. */
  readonly published: PublishedMessage[];
  /** Publish attempts refused so far. */
  readonly refused: PublishedMessage[];
  /** `true`: refuse every Publish from now on. */
  refuse(refusing: boolean): void;
  /** Forgets the messages recorded so far. */
  clear(): void;
  close(): Promise<void>;
}

function sendXml(res: ServerResponse, status: number, body: string): void {
  // No Date header: tests move the process clock to the schedule time, and the SDK would take
  // the difference for clock skew and retry a refused Publish, as it may with a real server.
  res.sendDate = false;
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Starts the server on an ephemeral loopback port. */
export async function startLocalSns(): Promise<LocalSns> {
  const published: PublishedMessage[] = [];
  const refused: PublishedMessage[] = [];
  let refusing = false;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const form = new URLSearchParams(await readBody(req));
    if (form.get('Action') !== 'Publish') {
      sendXml(res, 400, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code></Error></ErrorResponse>`);
      return;
    }
    const message: PublishedMessage = {
      TopicArn: form.get('TopicArn') ?? undefined,
      Subject: form.get('Subject') ?? undefined,
      Message: form.get('Message') ?? undefined,
      MessageStructure: form.get('MessageStructure') ?? undefined,
    };
    if (refusing) {
      refused.push(message);
      sendXml(
        res,
        403,
        '<ErrorResponse><Error><Type>Sender</Type><Code>AuthorizationError</Code>' +
          '<Message>User is not authorized to perform: SNS:Publish</Message></Error>' +
          `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
      return;
    }
    published.push(message);
    sendXml(
      res,
      200,
      '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">' +
        `<PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult>` +
        `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => sendXml(res, 500, '<ErrorResponse/>'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    published,
    refused,
    refuse: (value) => {
      refusing = value;
    },
    clear: () => {
      published.length = 0;
      refused.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
