using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Planning;

/// <summary>
/// Plans where every value lives on the device, by liveness over the topological node order:
/// <list type="bullet">
/// <item>A reshape whose result is not a graph output aliases its input (no dispatch, shared storage).</item>
/// <item>f32/i32 inputs and parameters are read straight from their bound tensors; f16/bf16 ones are widened into
/// an arena slot first. Nodes never write a bound tensor, so a donated input stays intact until the end.</item>
/// <item>Node results get arena slots (device-local buffers): at each node its outputs are placed first (so a node
/// never writes over its own inputs), then values whose last reader was this node free their slot. A free slot is
/// reused best-fit (the smallest that fits, else the largest, grown).</item>
/// <item>A node result in f32/i32 that is a graph output donating nothing is written straight into the bound output
/// tensor (no arena slot, no copy). Output tensors are never bound as inputs, so this aliases nothing.</item>
/// <item>Other outputs are filled after the last node: words copied (f32/i32) or packed (f16/bf16) into the bound output
/// tensor. A donating output is thereby written only after every read of the donated tensor; a pass-through into a
/// donated tensor goes through a snapshot slot so that swapped donations stay correct.</item>
/// </list>
/// </summary>
internal static class VulkanMemoryPlanner
{
    private const int End = int.MaxValue;

    /// <param name="graph">The graph.</param>
    /// <param name="bindingSlot">Binding slot of each input/parameter by name (the runtime's numbering).</param>
    /// <param name="outputSlot">Binding slot of each graph output's tensor, in output order.</param>
    public static VulkanMemoryPlan Plan(Graph graph, IReadOnlyDictionary<string, int> bindingSlot, IReadOnlyList<int> outputSlot)
    {
        int valueCount = graph.Values.Count;
        var values = graph.Values;
        var outputValues = graph.Outputs.Select(o => o.Value).ToHashSet();

        var root = Enumerable.Range(0, valueCount).ToArray();
        var aliasedNodes = new bool[graph.Nodes.Count];
        foreach (var node in graph.Nodes)
        {
            if (node.Op is not ReshapeOp || outputValues.Contains(node.Outputs[0])) continue;
            root[node.Outputs[0]] = root[node.Inputs[0]];
            aliasedNodes[node.Index] = true;
        }

        var lastUse = new int[valueCount];
        for (int v = 0; v < valueCount; v++) lastUse[v] = values[v].Kind == ValueKind.Node ? values[v].Producer : -1;
        foreach (var node in graph.Nodes)
            foreach (int input in node.Inputs)
                lastUse[root[input]] = Math.Max(lastUse[root[input]], node.Index);
        // Outputs are read by the export after the last node.
        foreach (int v in outputValues) lastUse[root[v]] = End;

        // The first non-donating f32/i32 output naming a node result gets it written in place.
        var claimedBy = new Dictionary<int, int>();
        for (int o = 0; o < graph.Outputs.Count; o++)
        {
            int v = graph.Outputs[o].Value;
            if (values[v].Kind == ValueKind.Node && root[v] == v && graph.Outputs[o].Donates is null && IsWordDType(values[v].Type.DType))
                claimedBy.TryAdd(v, o);
        }

        var storage = new ValueStorage[valueCount];
        var arena = new SlotAllocator();
        var releaseAt = new Dictionary<int, List<int>>();
        var slotOf = new Dictionary<int, int>();
        var imports = new List<int>();
        var constants = new List<int>();
        int arenaValues = 0;

        void Place(int v, int time)
        {
            int slot = arena.Acquire(Math.Max(1, values[v].Type.Shape.ElementCount));
            slotOf[v] = slot;
            arenaValues++;
            int until = Math.Max(lastUse[v], time);
            if (until == End) return;
            if (!releaseAt.TryGetValue(until, out var list)) releaseAt[until] = list = [];
            list.Add(v);
        }
        void Release(int time)
        {
            if (!releaseAt.TryGetValue(time, out var list)) return;
            foreach (int v in list) arena.Release(slotOf[v]);
        }

        foreach (var v in values)
        {
            switch (v.Kind)
            {
                case ValueKind.Constant:
                    storage[v.Id] = new ValueStorage(StorageKind.Constant, constants.Count, -1);
                    constants.Add(v.Id);
                    break;
                case ValueKind.Input or ValueKind.Parameter:
                    int binding = bindingSlot[v.Name];
                    if (IsWordDType(v.Type.DType))
                    {
                        storage[v.Id] = new ValueStorage(StorageKind.Bound, -1, binding);
                    }
                    else
                    {
                        Place(v.Id, -1);
                        storage[v.Id] = new ValueStorage(StorageKind.Import, slotOf[v.Id], binding);
                        imports.Add(v.Id);
                    }
                    break;
            }
        }
        Release(-1);
        foreach (var node in graph.Nodes)
        {
            foreach (int v in node.Outputs)
            {
                if (root[v] != v) continue;
                if (claimedBy.TryGetValue(v, out int claim))
                {
                    storage[v] = new ValueStorage(StorageKind.Output, -1, outputSlot[claim]);
                    continue;
                }
                Place(v, node.Index);
                storage[v] = new ValueStorage(StorageKind.Arena, slotOf[v], -1);
            }
            Release(node.Index);
        }
        for (int v = 0; v < valueCount; v++)
            if (root[v] != v) storage[v] = storage[root[v]];

        var exports = new OutputExport[graph.Outputs.Count];
        for (int o = 0; o < graph.Outputs.Count; o++)
        {
            var output = graph.Outputs[o];
            int v = output.Value, r = root[v];
            var source = values[r];
            bool fromInput = source.Kind is ValueKind.Input or ValueKind.Parameter;
            ExportKind kind;
            int snapshot = -1;
            if (claimedBy.TryGetValue(v, out int claim) && claim == o) kind = ExportKind.None;
            else if (fromInput && output.Donates == source.Name) kind = ExportKind.None;
            else if (fromInput && output.Donates is null) kind = ExportKind.CopyFromInput;
            else if (fromInput)
            {
                kind = ExportKind.CopyThroughSnapshot;
                snapshot = arena.Acquire(Math.Max(1, (source.Type.ByteCount + 3) / 4));
            }
            else kind = IsWordDType(values[v].Type.DType) ? ExportKind.CopyWords : ExportKind.Pack;
            exports[o] = new OutputExport(v, o, kind, snapshot);
        }

        return new VulkanMemoryPlan
        {
            Storage = storage,
            Root = root,
            AliasedNodes = aliasedNodes,
            Imports = imports.ToArray(),
            Exports = exports,
            ArenaSlotWords = arena.Capacities,
            Constants = constants.ToArray(),
            ArenaValues = arenaValues,
            SlotReuses = arena.Reuses,
        };
    }

    /// <summary>f32 and i32 values are stored as the 32-bit words the shaders use; f16/bf16 need widening.</summary>
    public static bool IsWordDType(DType dtype) => dtype is DType.F32 or DType.I32;

    /// <summary>Best-fit reuse of arena slots whose capacity grows to the largest occupant.</summary>
    private sealed class SlotAllocator
    {
        private readonly List<long> _capacity = [];
        private readonly List<int> _free = [];

        public long[] Capacities => _capacity.ToArray();

        public int Reuses { get; private set; }

        public int Acquire(long need)
        {
            int best = -1;
            foreach (int s in _free)
            {
                if (best < 0) { best = s; continue; }
                bool fits = _capacity[s] >= need, bestFits = _capacity[best] >= need;
                if (fits && (!bestFits || _capacity[s] < _capacity[best])) best = s;
                else if (!fits && !bestFits && _capacity[s] > _capacity[best]) best = s;
            }
            if (best >= 0)
            {
                _free.Remove(best);
                _capacity[best] = Math.Max(_capacity[best], need);
                Reuses++;
                return best;
            }
            _capacity.Add(need);
            return _capacity.Count - 1;
        }

        public void Release(int slot) => _free.Add(slot);
    }
}
