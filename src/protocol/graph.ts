// The model graph as plain data: extracted from a tfjs model in the trainer,
// stored in run.json, drawn by the diagram webview. No tfjs types here.
import { z } from 'zod';

export const GraphNodeSchema = z.object({
  id: z.string(),
  className: z.string(),
  outputShape: z.array(z.number().nullable()),
  params: z.number(),
});
export const GraphEdgeSchema = z.object({ from: z.string(), to: z.string() });
export const ModelGraphSchema = z.object({
  name: z.string(),
  nodes: z.array(GraphNodeSchema),
  edges: z.array(GraphEdgeSchema),
});

export const ModelSummarySchema = z.object({
  name: z.string(),
  totalParams: z.number(),
  trainableParams: z.number(),
  /** Weighted layers on the main path (convs and dense), as the paper counts depth. */
  depth: z.number(),
  shortcuts: z.number(),
  layers: z.array(
    z.object({
      name: z.string(),
      className: z.string(),
      outputShape: z.array(z.number().nullable()),
      params: z.number(),
    }),
  ),
});

export type GraphNode = z.infer<typeof GraphNodeSchema>;
export type GraphEdge = z.infer<typeof GraphEdgeSchema>;
export type ModelGraph = z.infer<typeof ModelGraphSchema>;
export type ModelSummary = z.infer<typeof ModelSummarySchema>;
