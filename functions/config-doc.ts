// The configuration schema as a Markdown table (README.md, scripts/config-table.ts).
import type { z } from 'zod';
import { configSchema } from './config';

export function configTable(): string {
  const rows = Object.entries(configSchema.shape).map(([name, schema]) => {
    const meta = (schema as z.ZodType).meta() as { description?: string; fallback?: string; scope?: string } | undefined;
    const cell = (text: string | undefined) => (text ?? '').replace(/\|/g, '\\|');
    return `| \`${name}\` | ${cell(meta?.fallback)} | ${cell(meta?.scope)} | ${cell(meta?.description)} |`;
  });
  return ['| Variable | Default | Read by | Meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
