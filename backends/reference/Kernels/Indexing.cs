using Pixelfly.Devices;
namespace Pixelfly.Backends.Reference.Kernels;

/// <summary>gather (embedding lookup), scatter_add (its backward) and one_hot.</summary>
internal static class Indexing
{
    /// <summary>table [V, ...rest], indices [...I] → [...I, ...rest]; an index outside [0, V) is an error.</summary>
    public static double[] Gather(Operand table, Operand indices)
    {
        int vocabulary = table.Shape[0];
        int rowSize = RowSize(table);
        var y = new double[indices.Data.Length * rowSize];
        for (int i = 0; i < indices.Data.Length; i++)
        {
            int row = CheckedIndex(indices.Data[i], vocabulary, i, "gather", $"table {table.Type}");
            Array.Copy(table.Data, row * rowSize, y, i * rowSize, rowSize);
        }
        return y;
    }

    /// <summary>indices [...I], updates [...I, ...rest] → [rows, ...rest], row indices[i] accumulating updates[i].</summary>
    public static double[] ScatterAdd(Operand indices, Operand updates, int rows)
    {
        int rowSize = RestSize(updates, indices.Shape.Rank);
        var y = new double[rows * (long)rowSize];
        for (int i = 0; i < indices.Data.Length; i++)
        {
            int row = CheckedIndex(indices.Data[i], rows, i, "scatter_add", $"the {rows}-row result");
            for (int j = 0; j < rowSize; j++) y[row * rowSize + j] += updates.Data[i * rowSize + j];
        }
        return y;
    }

    /// <summary>[...] → [..., depth]: 1 at the index, 0 elsewhere; an index outside [0, depth) gives a zero row.</summary>
    public static double[] OneHot(Operand indices, int depth)
    {
        var y = new double[indices.Data.Length * (long)depth];
        for (int i = 0; i < indices.Data.Length; i++)
        {
            double index = indices.Data[i];
            if (index >= 0 && index < depth) y[i * depth + (int)index] = 1.0;
        }
        return y;
    }

    private static int RowSize(Operand table) => RestSize(table, 1);

    /// <summary>Product of the dims after the first <paramref name="leading"/> ones.</summary>
    private static int RestSize(Operand x, int leading)
    {
        int size = 1;
        for (int d = leading; d < x.Shape.Rank; d++) size *= x.Shape[d];
        return size;
    }

    private static int CheckedIndex(double index, int count, int position, string op, string what)
    {
        if (!(index >= 0 && index < count))
            throw new ExecutionException($"{op}: index {index} at position {position} is outside [0, {count}) of {what}");
        return (int)index;
    }
}
