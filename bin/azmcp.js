#!/usr/bin/env node
// Entry point for `npx azmcp` and `node bin/azmcp.js`; the compiled CLI lives in dist/.
import('../dist/cli/main.js').then(
  ({ main }) => main(process.argv),
  (error) => {
    process.stderr.write(`error: azmcp is not built (${error.message}); run \`npm install\` or \`npm run build\`.\n`);
    process.exit(1);
  },
);
