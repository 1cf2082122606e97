using Pixelfly.Ir;
using Pixelfly.Ir.Ops;

namespace Pixelfly.Nn.Training;

/// <summary>
/// Matmul FLOPs of a graph, counted from its nodes: dense matmul 2·M·N·K per batch entry, block-sparse 2·nnz·b²
/// times the dense dimension (only stored blocks count). Element-wise work is not counted (as papers do not).
/// </summary>
public static class GraphFlops
{
    /// <summary>FLOPs of the matmuls in <paramref name="graph"/>.</summary>
    public static double Matmuls(Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        double total = 0;
        foreach (var node in graph.Nodes)
        {
            var a = graph.Values[node.Inputs.Count > 0 ? node.Inputs[0] : 0].Type.Shape;
            var y = graph.Values[node.Outputs[0]].Type.Shape;
            switch (node.Op)
            {
                case MatMulOp mm:
                {
                    int k = mm.TransA ? a[-2] : a[-1];
                    total += 2.0 * y.ElementCount * k;
                    break;
                }
                case BlockSparseMatMulOp bs:
                {
                    var l = bs.Layout;
                    double perBlockProduct = 2.0 * l.BlockSize * l.BlockSize;
                    // Sdd computes the stored blocks over K; Dds/Dsd walk the stored blocks for each dense row.
                    total += bs.Mode switch
                    {
                        SparseMode.Sdd => perBlockProduct * l.NnzBlocks * (bs.TransA ? a[-2] : a[-1]) * Batch(y, 3),
                        SparseMode.Dds => perBlockProduct * l.NnzBlocks * (bs.TransA ? a[-1] : a[-2]) * Batch(a, 2),
                        _ => perBlockProduct * l.NnzBlocks * y[-1] * Batch(y, 2),
                    };
                    break;
                }
            }
        }
        return total;
    }

    private static double Batch(Pixelfly.Tensors.Shape shape, int trailing)
    {
        double batch = 1;
        for (int d = 0; d < shape.Rank - trailing; d++) batch *= shape[d];
        return batch;
    }
}
