// An S3-protocol server for tests, run as its own process by test/support/s3-server.ts:
// s3rver (a Node S3 server that keeps objects and multipart uploads in a folder) on a free
// loopback port, with one bucket. s3rver answers NotImplemented/405 to ListMultipartUploads and
// AbortMultipartUpload, which the S3 blob store relies on to leave nothing behind; this wrapper
// answers those two requests itself from s3rver's own upload folders (where its
// CreateMultipartUpload, UploadPart and CompleteMultipartUpload keep their state), in the XML
// shape the S3 API documents, and hands every other request to s3rver unchanged.
// Prints `{"port": N}` on stdout once it listens.
'use strict';

const { mkdir, readdir, readFile, rm, stat } = require('node:fs/promises');
const http = require('node:http');
const path = require('node:path');
const S3rver = require('@20minutes/s3rver');

const [directory, bucket] = process.argv.slice(2);
if (!directory || !bucket) throw new Error('usage: s3-test-server.cjs <directory> <bucket>');

const uploadsDir = () => path.join(directory, bucket, '._S3rver_uploads');
const xmlEscape = (text) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

async function listMultipartUploads(url, res) {
  const prefix = url.searchParams.get('prefix') ?? '';
  const uploads = [];
  for (const uploadId of await readdir(uploadsDir()).catch(() => [])) {
    const keyFile = path.join(uploadsDir(), uploadId, 'key');
    const [key, info] = await Promise.all([
      readFile(keyFile, 'utf8').catch(() => null),
      stat(keyFile).catch(() => null),
    ]);
    if (key === null || info === null || !key.startsWith(prefix)) continue;
    uploads.push(
      `<Upload><Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId>` +
        `<Initiated>${info.mtime.toISOString()}</Initiated></Upload>`,
    );
  }
  res.writeHead(200, { 'content-type': 'application/xml' });
  res.end(
    '<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult>' +
      `<Bucket>${xmlEscape(bucket)}</Bucket><Prefix>${xmlEscape(prefix)}</Prefix>` +
      `<IsTruncated>false</IsTruncated>${uploads.join('')}</ListMultipartUploadsResult>`,
  );
}

async function abortMultipartUpload(uploadId, res) {
  const dir = path.join(uploadsDir(), path.basename(uploadId));
  if (!(await stat(dir).catch(() => null))) {
    res.writeHead(404, { 'content-type': 'application/xml' });
    res.end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code></Error>');
    return;
  }
  await rm(dir, { recursive: true, force: true });
  res.writeHead(204);
  res.end();
}

async function main() {
  await mkdir(directory, { recursive: true });
  const s3rver = new S3rver({
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
    // The access key is still checked; signatures are not, because s3rver signs bucket-level
    // requests over `/bucket` while the current AWS SDK sends (and signs) `/bucket/`.
    allowMismatchedSignatures: true,
  });
  await s3rver.configureBuckets();
  const s3rverHandler = s3rver.callback();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://s3.test');
    const [, urlBucket, ...keyParts] = url.pathname.split('/');
    let handled;
    if (req.method === 'GET' && urlBucket === bucket && keyParts.join('') === '' && url.searchParams.has('uploads')) {
      handled = listMultipartUploads(url, res);
    } else if (req.method === 'DELETE' && urlBucket === bucket && url.searchParams.has('uploadId')) {
      handled = abortMultipartUpload(url.searchParams.get('uploadId'), res);
    } else {
      return s3rverHandler(req, res);
    }
    handled.catch((error) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
