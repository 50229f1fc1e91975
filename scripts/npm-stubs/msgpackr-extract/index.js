'use strict';
// msgpackr loads this optional accelerator in a try/catch and falls back to its JavaScript decoder.
// The real package pulls per-platform prebuilds that our registry does not all carry, which breaks
// `npm ci`'s lock-file check; BullMQ's job payloads are small, so the JavaScript path is enough.
throw new Error('msgpackr-extract is disabled in this project (JavaScript msgpack decoding is used)');
