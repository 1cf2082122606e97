using Pixelfly.Backends.Cpu.Kernels;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;
using BestFitSlotAllocator = Pixelfly.Devices.Planning.BestFitSlotAllocator;

namespace Pixelfly.Backends.Cpu.Planning;

/// <summary>
/// Plans where every value lives, by liveness over the topological node order:
/// <list type="bullet">
/// <item>A reshape whose result is not a graph output aliases its input (no kernel, shared storage).</item>
/// <item>A graph output computed by a node in f32/i32 is written straight into the bound output tensor; outputs in
/// f16/bf16, or repeated, or passed through from an input or constant, are copied out after the last kernel.</item>
/// <item>Intermediates get arena buffers: at each node the outputs are placed first (so a node never writes over its
/// own inputs), then values whose last reader was this node free their buffer. A free buffer is reused best-fit by
/// size (the smallest that fits, else the largest, grown), so a buffer's final size is the largest of its
/// occupants.</item>
/// <item>Donation: an output that donates input X is written into X's tensor. If anything reads X after the
/// producing node starts writing (a later node, the producer itself unless it is element-wise in place, or an output
/// passing X through), X is first snapshotted into the arena and its readers read the snapshot.</item>
/// </list>
/// f16/bf16 inputs are always imported (widened to f32) into the arena. Fused nodes (<see cref="FusionPlan"/>) read
/// their inputs where their group runs, and values internal to a group get no storage at all.
/// </summary>
internal static class MemoryPlanner
{
    private const int End = int.MaxValue;

    public static MemoryPlan Plan(Graph graph, FusionPlan fusion)
    {
        int valueCount = graph.Values.Count, nodeCount = graph.Nodes.Count;
        var values = graph.Values;

        // 1. Reshape aliases.
        var outputValues = graph.Outputs.Select(o => o.Value).ToHashSet();
        var root = Enumerable.Range(0, valueCount).ToArray();
        var aliasedNodes = new bool[nodeCount];
        foreach (var node in graph.Nodes)
        {
            if (node.Op is not ReshapeOp || outputValues.Contains(node.Outputs[0])) continue;
            root[node.Outputs[0]] = root[node.Inputs[0]];
            aliasedNodes[node.Index] = true;
        }

        // 2. Readers and last use, per root.
        var readers = new List<int>[valueCount];
        var lastUse = new int[valueCount];
        for (int v = 0; v < valueCount; v++)
        {
            readers[v] = [];
            lastUse[v] = values[v].Kind == ValueKind.Node ? values[v].Producer : -1;
        }
        foreach (var node in graph.Nodes)
            foreach (int input in node.Inputs)
            {
                int r = root[input], at = fusion.ExecutionIndex[node.Index];
                readers[r].Add(at);
                lastUse[r] = Math.Max(lastUse[r], at);
            }
        foreach (int v in outputValues) lastUse[root[v]] = End;

        // 3. Direct output claims: the first f32/i32 output naming a node value gets it written in place.
        var claimedBy = new Dictionary<int, int>();
        for (int o = 0; o < graph.Outputs.Count; o++)
        {
            int v = graph.Outputs[o].Value;
            if (values[v].Kind == ValueKind.Node && root[v] == v && IsDirectDType(values[v].Type.DType))
                claimedBy.TryAdd(v, o);
        }

        // 4. Storage of bindables and constants.
        var storage = new ValueStorage[valueCount];
        var imports = new List<int>();
        int snapshots = 0;
        var donatedBy = graph.Outputs.Select((o, i) => (o, i)).Where(p => p.o.Donates is not null).ToDictionary(p => p.o.Donates!, p => p.i);
        long constantFloats = 0;
        foreach (var v in values)
        {
            switch (v.Kind)
            {
                case ValueKind.Constant:
                    storage[v.Id] = new ValueStorage(StorageKind.Constant, constantFloats, null);
                    constantFloats += GemmCore.Aligned(v.Type.Shape.ElementCount);
                    break;
                case ValueKind.Input or ValueKind.Parameter:
                    bool import = !IsDirectDType(v.Type.DType);
                    if (!import && donatedBy.TryGetValue(v.Name, out int output) && NeedsSnapshot(graph, v.Id, output, root, readers, outputValues, claimedBy))
                    {
                        import = true;
                        snapshots++;
                    }
                    storage[v.Id] = new ValueStorage(import ? StorageKind.Import : StorageKind.Bound, 0, v.Name);
                    if (import) imports.Add(v.Id);
                    break;
            }
        }

        // 5. Node outputs: direct into the output tensor, or the arena.
        foreach (var v in values)
        {
            if (v.Kind != ValueKind.Node || root[v.Id] != v.Id) continue;
            storage[v.Id] = fusion.Internal[v.Id] ? new ValueStorage(StorageKind.Fused, 0, null)
                : claimedBy.TryGetValue(v.Id, out int o) ? new ValueStorage(StorageKind.Output, 0, graph.Outputs[o].Name)
                : new ValueStorage(StorageKind.Arena, 0, null);
        }

        // 6. Arena allocation in node order.
        var arena = new BestFitSlotAllocator();
        var slotOf = new Dictionary<int, int>();
        var releaseAt = new Dictionary<int, List<int>>();
        void Place(int v, int time)
        {
            long need = values[v].Type.Shape.ElementCount;
            if (need == 0) return;
            slotOf[v] = arena.Acquire(need);
            int until = lastUse[v];
            if (until == End) return;
            if (!releaseAt.TryGetValue(Math.Max(until, time), out var list)) releaseAt[Math.Max(until, time)] = list = [];
            list.Add(v);
        }
        void Release(int time)
        {
            if (!releaseAt.TryGetValue(time, out var list)) return;
            foreach (int v in list) arena.Release(slotOf[v]);
        }
        foreach (int v in imports) Place(v, -1);
        Release(-1);
        int arenaValues = imports.Count;
        foreach (var node in graph.Nodes)
        {
            foreach (int v in node.Outputs)
                if (root[v] == v && storage[v].Kind == StorageKind.Arena)
                {
                    Place(v, node.Index);
                    arenaValues++;
                }
            Release(node.Index);
        }
        var offsets = AssignOffsets(arena.Capacities, out long arenaFloats);
        foreach (var (v, slot) in slotOf)
            storage[v] = storage[v] with { Offset = offsets[slot] };

        // 7. Aliases share their root's storage; outputs not written in place are copied out at the end.
        for (int v = 0; v < valueCount; v++)
            if (root[v] != v) storage[v] = storage[root[v]];
        var exports = new List<(int, int)>();
        for (int o = 0; o < graph.Outputs.Count; o++)
        {
            int v = graph.Outputs[o].Value;
            if (!(storage[v].Kind == StorageKind.Output && storage[v].Binding == graph.Outputs[o].Name))
                exports.Add((v, o));
        }

        return new MemoryPlan
        {
            Storage = storage,
            Root = root,
            AliasedNodes = aliasedNodes,
            Imports = imports.ToArray(),
            Exports = exports.ToArray(),
            ArenaFloats = arenaFloats,
            ConstantFloats = constantFloats,
            ArenaBuffers = arena.SlotCount,
            BufferReuses = arena.Reuses,
            ArenaValues = arenaValues,
            InputSnapshots = snapshots,
        };
    }

    /// <summary>f32 and i32 values are held as they are stored; f16/bf16 need widening.</summary>
    private static bool IsDirectDType(DType dtype) => dtype is DType.F32 or DType.I32;

    /// <summary>
    /// Whether donated input <paramref name="input"/> must be snapshotted: it is passed through to an output, or its
    /// donating output is written in place by a node that is not the last to read it (or reads it other than
    /// element-wise in place).
    /// </summary>
    private static bool NeedsSnapshot(Graph graph, int input, int output, int[] root, List<int>[] readers, HashSet<int> outputValues, Dictionary<int, int> claimedBy)
    {
        if (outputValues.Contains(input)) return true;
        int v = graph.Outputs[output].Value;
        if (!claimedBy.TryGetValue(v, out int claim) || claim != output) return false;
        var producer = graph.Nodes[graph.Values[v].Producer];
        foreach (int reader in readers[input])
        {
            if (reader > producer.Index) return true;
            if (reader < producer.Index) continue;
            for (int i = 0; i < producer.Inputs.Count; i++)
            {
                int operand = producer.Inputs[i];
                if (root[operand] != input) continue;
                if (operand != input || !KernelFactory.IsElementwiseInPlace(producer, i, graph)) return true;
            }
        }
        return false;
    }

    /// <summary>Each slot's offset in the one arena buffer, every slot aligned for the GEMM kernels.</summary>
    private static long[] AssignOffsets(long[] capacities, out long total)
    {
        var offsets = new long[capacities.Length];
        total = 0;
        for (int s = 0; s < capacities.Length; s++)
        {
            offsets[s] = total;
            total += GemmCore.Aligned(capacities[s]);
        }
        return offsets;
    }
}
