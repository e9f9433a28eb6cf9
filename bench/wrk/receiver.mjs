// A webhook receiver written with Shopify's official Node library: validates each delivery
// (shopify.webhooks.validate: HMAC over the raw body and the required headers), appends it to a file, answers 200.
// usage: node receiver.mjs <port> <secret> <file>
import '@shopify/shopify-api/adapters/node';
import { shopifyApi, ApiVersion } from '@shopify/shopify-api';
import { createServer } from 'node:http';
import { createWriteStream } from 'node:fs';

const [port, secret, path] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const shopify = shopifyApi({
  apiKey: 'bench-api-key',
  apiSecretKey: secret,
  hostName: '127.0.0.1',
  apiVersion: ApiVersion.October24,
  isEmbeddedApp: false,
  logger: { level: 0 },
});
const out = createWriteStream(path, { flags: 'a' });

createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', async () => {
    const rawBody = Buffer.concat(chunks).toString('utf8');
    try {
      const check = await shopify.webhooks.validate({ rawBody, rawRequest: req, rawResponse: res });
      if (!check.valid) {
        res.writeHead(401).end();
        return;
      }
      out.write(rawBody + '\n', () => res.writeHead(200).end());
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
}).listen(port, '127.0.0.1', () => console.log(`receiver listening on http://127.0.0.1:${port}/`));
