// The identity experiment's result (He et al. 2015, Sec. 3.1): what the
// trainer emits at the end, what identity.json in its run folder holds, and
// what the CLI, the figure and the identity panel read. Defined once here;
// every reader validates with it (a run folder is data).
import { z } from 'zod';

export const IdentityConfigSchema = z.object({
  blocks: z.number().int().positive(),
  width: z.number().int().positive(),
  iterations: z.number().int().positive(),
  batchSize: z.number().int().positive(),
  lr: z.number().positive(),
  seed: z.number().int().min(0).max(0xffffffff),
  recordEvery: z.number().int().positive(),
});

/** Loss on the fixed evaluation batch, and per block the distance to its identity solution relative to the start (1: as far as at initialisation, 0: there). */
export const IdentityRecordSchema = z.object({
  iteration: z.number().int().min(0),
  plainLoss: z.number(),
  residualLoss: z.number(),
  plainDistance: z.array(z.number()),
  residualDistance: z.array(z.number()),
});
export type IdentityRecord = z.infer<typeof IdentityRecordSchema>;

export const IdentityResultSchema = z
  .object({
    kind: z.literal('resnet-lab/identity'),
    file: z.string(),
    experiment: z.string(),
    backend: z.string(),
    config: IdentityConfigSchema,
    /** Names of the blocks, in stack order (the same in both stacks). */
    blocks: z.array(z.string()),
    /** ‖W0 − I‖_F of each plain block and ‖W0‖_F of each residual block: what the relative distances divide by. */
    initialDistance: z.object({ plain: z.array(z.number()), residual: z.array(z.number()) }),
    /** Images in the fixed batch the losses are measured on. */
    evalImages: z.number().int().positive(),
    records: z.array(IdentityRecordSchema).min(1),
    /** How the run ended: all iterations, or stopped early. */
    status: z.enum(['finished', 'stopped']),
    seconds: z.number(),
    createdAt: z.string(),
  })
  .superRefine((r, ctx) => {
    const n = r.blocks.length;
    const bad = r.records.findIndex((x) => x.plainDistance.length !== n || x.residualDistance.length !== n);
    if (bad >= 0)
      ctx.addIssue({ code: 'custom', path: ['records', bad], message: `expected ${n} distances per stack` });
    if (r.initialDistance.plain.length !== n || r.initialDistance.residual.length !== n)
      ctx.addIssue({ code: 'custom', path: ['initialDistance'], message: `expected ${n} distances per stack` });
  });
export type IdentityResult = z.infer<typeof IdentityResultSchema>;

/** The identity panel's messages (webview/identity <-> src/extension/identityPanel.ts). */
/** Host -> identity panel: the result, and the run folder's name (a webview never sees a path). */
export type IdentityHostMessage = { method: 'identity/show'; params: { folder: string; result: IdentityResult } };

/** Identity panel -> host: it only says it is ready; anything else is refused. */
export const IdentityPanelMessageSchema = z.object({ method: z.literal('webview/ready') });
export type IdentityPanelMessage = z.infer<typeof IdentityPanelMessageSchema>;
