// The protocol of the warm describe process (src/trainer/describeServer.ts):
// a long-lived child of the extension host that builds models from the
// editor's unsaved text and answers with their graph and summary, for the
// live preview and the model facts. Both sides validate what they receive.
import { z } from 'zod';
import { ModelGraphSchema, ModelSummarySchema } from './graph';
import { DataNameSchema, DiagnosticSchema } from './trainer';

/** Model files are small; anything past this is not one (and would be slow to send). */
export const MAX_SOURCE_CHARS = 2_000_000;

export const DescribeRequestSchema = z.object({
  type: z.literal('describe'),
  id: z.number().int(),
  /** The model file's path: its folder resolves relative imports, errors point into it. */
  file: z.string(),
  experiment: z.string(),
  /** The text to build instead of the file on disk (the editor's unsaved buffer). */
  source: z.string().max(MAX_SOURCE_CHARS).optional(),
  data: DataNameSchema.optional(),
});
export type DescribeRequest = z.infer<typeof DescribeRequestSchema>;

export const DescribeReplySchema = z.discriminatedUnion('type', [
  /** Sent once, when tfjs and the compiler are loaded: requests are timed from here. */
  z.object({ type: z.literal('ready'), backend: z.string() }),
  z.object({
    type: z.literal('described'),
    id: z.number().int(),
    summary: ModelSummarySchema,
    graph: ModelGraphSchema,
    /** Milliseconds from the request's arrival to the reply (compile + build + extract). */
    ms: z.number(),
  }),
  z.object({
    type: z.literal('failed'),
    id: z.number().int(),
    kind: z.enum(['compile', 'build', 'crash']),
    message: z.string(),
    diagnostics: z.array(DiagnosticSchema).default([]),
  }),
]);
export type DescribeReply = z.infer<typeof DescribeReplySchema>;

export function parseDescribeRequest(raw: unknown): DescribeRequest {
  return DescribeRequestSchema.parse(raw);
}

export function parseDescribeReply(raw: unknown): DescribeReply {
  return DescribeReplySchema.parse(raw);
}
