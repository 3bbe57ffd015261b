import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/builder';
import { f32, run } from '../helpers/ort';

describe('Graph builder', () => {
  it('serializes a graph that onnxruntime-web runs with the expected numbers', async () => {
    const g = new Graph('affine');
    const x = g.input('x', 'float32', ['n', 3]);
    const w = g.weight('layer.weight', [3, 2], Float32Array.from([1, 2, 3, 4, 5, 6]));
    const b = g.weight('layer.bias', [2], Float32Array.from([0.5, -0.5]));
    const y = g.node('Add', [g.node('MatMul', [x, w]), b]);
    g.output(g.node('Relu', [y]), 'y', 'float32', ['n', 2]);
    const out = await run(g, { x: f32([1, 0, 0, -1, -1, -1], [2, 3]) });
    expect(out.y.dims).toEqual([2, 2]);
    // row0: [1,2]+b ; row1: -[1+3+5, 2+4+6]+b -> relu 0
    expect(Array.from(out.y.data as Float32Array)).toEqual([1.5, 1.5, 0, 0]);
    expect(g.parameterCount()).toBe(8);
  });

  it('rejects initializers whose data does not fit the dims', () => {
    const g = new Graph('bad');
    expect(() => g.weight('w', [2, 2], new Float32Array(3))).toThrow(/3 values/);
  });
});
