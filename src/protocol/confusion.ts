// The panel's Confusion tab and the host: the webview asks for a run's
// confusion records, and for the test images of one cell; the host answers
// from the run folder and the data set. Requests name a run by the id the
// host gave it, never a path.
import { z } from 'zod';

export const ConfusionRequestSchema = z.object({
  method: z.literal('confusion/request'),
  params: z.object({ id: z.string().max(200) }),
});

/** One page of the test images of cell (true class `actual`, predicted class `predicted`) at an epoch. */
export const ConfusionImagesRequestSchema = z.object({
  method: z.literal('confusion/images'),
  params: z.object({
    requestId: z.number().int(),
    id: z.string().max(200),
    epoch: z.number().int().positive(),
    actual: z.number().int().min(0).max(65_535),
    predicted: z.number().int().min(0).max(65_535),
    offset: z.number().int().min(0),
  }),
});
export type ConfusionImagesRequest = z.infer<typeof ConfusionImagesRequestSchema>['params'];

/** Images per page of a cell. */
export const CELL_PAGE = 60;

export interface ConfusionRecordView {
  epoch: number;
  iteration: number;
  matrix: number[][];
}

export interface ConfusionData {
  id: string;
  classNames: string[];
  records: ConfusionRecordView[];
}

export interface CellImage {
  /** The example's index in the test set. */
  index: number;
  /** Its pixels, row-major, `channels` bytes each, base64. */
  pixels: string;
  /** The model's three likeliest classes, best first: [class, probability]. */
  top: [number, number][];
}

export interface CellImages {
  requestId: number;
  id: string;
  epoch: number;
  actual: number;
  predicted: number;
  /** How many test images the cell holds; `images` are those from `offset` on, at most CELL_PAGE. */
  total: number;
  offset: number;
  shape: [number, number, number];
  images: CellImage[];
  /** Why there are no images to show (no predictions stored, the data set not on this machine). */
  error?: string;
}

export type ConfusionHostMessage =
  { method: 'confusion/data'; params: ConfusionData } | { method: 'confusion/images'; params: CellImages };
