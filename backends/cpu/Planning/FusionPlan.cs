using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cpu.Planning;

/// <summary>
/// A group of element-wise nodes run as one kernel at the position of its last member. Every member's output has
/// the group's shape; values only the group reads never reach memory. With a <see cref="Head"/>, the group is the
/// epilogue of that matmul (dense, or block-sparse Dds / Dsd): the matmul moves to the group's position, writes its
/// C tiles into the last member's output and the members run on each finished tile while it is in cache.
/// </summary>
internal sealed record FusedGroup(IReadOnlyList<Node> Members, Shape Shape, Node? Head)
{
    /// <summary>The node at whose position the group runs.</summary>
    public Node Last => Members[^1];
}

/// <summary>
/// Which element-wise nodes run fused. The memory planner reads it to treat every read by a member as happening
/// where the group runs, and to give internal values no storage.
/// </summary>
internal sealed class FusionPlan
{
    private FusionPlan(int nodeCount, int valueCount)
    {
        ExecutionIndex = Enumerable.Range(0, nodeCount).ToArray();
        Internal = new bool[valueCount];
        GroupOf = Enumerable.Repeat(-1, nodeCount).ToArray();
    }

    /// <summary>Per node: the index of the node at whose position it runs (itself unless it is fused).</summary>
    public int[] ExecutionIndex { get; }

    /// <summary>Per value: true when only its own group reads it, so it lives in per-worker registers only.</summary>
    public bool[] Internal { get; }

    /// <summary>Per node: its group's index in <see cref="Groups"/>, or -1.</summary>
    public int[] GroupOf { get; }

    /// <summary>The groups of two or more nodes, in execution order.</summary>
    public List<FusedGroup> Groups { get; } = [];

    /// <summary>No fusion: every node runs where it is.</summary>
    public static FusionPlan None(Graph graph) => new(graph.Nodes.Count, graph.Values.Count);

    /// <summary>
    /// Greedy fusion in node order: an element-wise node joins the group of an operand's producer when it has the
    /// group's shape and nothing outside the group reads a member's output before this node would run; a group
    /// runs where its last member is, so every outside reader of a member output must come after that.
    /// </summary>
    public static FusionPlan Build(Graph graph)
    {
        var plan = new FusionPlan(graph.Nodes.Count, graph.Values.Count);
        var readers = new List<int>[graph.Values.Count];
        for (int v = 0; v < readers.Length; v++) readers[v] = [];
        foreach (var node in graph.Nodes)
            foreach (int input in node.Inputs.Distinct())
                readers[input].Add(node.Index);
        var outputValues = graph.Outputs.Select(o => o.Value).ToHashSet();
        var donatingValues = graph.Outputs.Where(o => o.Donates is not null).Select(o => o.Value).ToHashSet();

        var groups = new List<List<Node>>();
        var groupOf = Enumerable.Repeat(-1, graph.Nodes.Count).ToArray();
        foreach (var node in graph.Nodes)
        {
            if (!IsFusable(node, graph, donatingValues)) continue;
            var shape = graph.Values[node.Outputs[0]].Type.Shape;
            int joined = -1;
            foreach (int input in node.Inputs)
            {
                var info = graph.Values[input];
                if (info.Kind != ValueKind.Node || joined >= 0) continue;
                var producer = graph.Nodes[info.Producer];
                if (!IsFusable(producer, graph, donatingValues) || graph.Values[producer.Outputs[0]].Type.Shape != shape) continue;
                int g = groupOf[producer.Index];
                if (g < 0)
                {
                    // A fusable producer that is in no group yet starts one.
                    groups.Add([producer]);
                    g = groupOf[producer.Index] = groups.Count - 1;
                }
                if (CanRunAt(groups[g], node.Index, readers)) joined = g;
            }
            if (joined < 0) continue;
            groups[joined].Add(node);
            groupOf[node.Index] = joined;
        }

        // Every fusable node not yet grouped may still be a matmul's epilogue on its own (C + bias).
        foreach (var node in graph.Nodes)
            if (groupOf[node.Index] < 0 && IsFusable(node, graph, donatingValues))
            {
                groups.Add([node]);
                groupOf[node.Index] = groups.Count - 1;
            }

        // Keep groups of two or more nodes or with a matmul head, numbered in execution order.
        foreach (var members in groups.OrderBy(m => m[^1].Index))
        {
            var memberSet = members.Select(m => m.Index).ToHashSet();
            var head = FindHead(graph, members, memberSet, readers, outputValues);
            if (members.Count < 2 && head is null) continue;
            int index = plan.Groups.Count;
            plan.Groups.Add(new FusedGroup(members, graph.Values[members[0].Outputs[0]].Type.Shape, head));
            foreach (var m in head is null ? members : members.Prepend(head))
            {
                plan.ExecutionIndex[m.Index] = members[^1].Index;
                plan.GroupOf[m.Index] = index;
                int v = m.Outputs[0];
                plan.Internal[v] = !outputValues.Contains(v) && readers[v].All(memberSet.Contains);
            }
        }
        return plan;
    }

    /// <summary>
    /// An f32 matmul with a dense result (a dense matmul, or a block-sparse one in mode Dds or Dsd; Sdd writes
    /// blocks, not rows) whose result only this group reads, that is no graph output and that has the group's shape
    /// (rank 2 or more, more than one column, so that C tiles map onto rows of the group), provided the group's last
    /// member writes a value the tiles can land in. Moving the matmul later to the group's position is safe: nothing
    /// else reads its result, and the memory planner keeps its operands alive (and snapshots a donated one) as for
    /// any fused read.
    /// </summary>
    private static Node? FindHead(Graph graph, List<Node> members, HashSet<int> memberSet, List<int>[] readers, HashSet<int> outputValues)
    {
        var last = members[^1].Outputs[0];
        if (outputValues.Contains(last) is false && readers[last].All(memberSet.Contains)) return null;
        var shape = graph.Values[last].Type.Shape;
        if (shape.Rank < 2 || shape[-1] < 2) return null;
        foreach (var m in members)
            foreach (int input in m.Inputs)
            {
                var info = graph.Values[input];
                if (info.Kind != ValueKind.Node || outputValues.Contains(input) || info.Type.Shape != shape) continue;
                var producer = graph.Nodes[info.Producer];
                if (!WritesDenseTiles(producer.Op) || info.Type.DType != DType.F32) continue;
                if (producer.Inputs.Any(i => graph.Values[i].Type.DType != DType.F32)) continue;
                if (readers[input].All(memberSet.Contains)) return producer;
            }
        return null;
    }

    /// <summary>The matmul kernels that can run an epilogue on their finished C tiles.</summary>
    private static bool WritesDenseTiles(Op op) =>
        op is MatMulOp or BlockSparseMatMulOp { Mode: SparseMode.Dds or SparseMode.Dsd };

    /// <summary>
    /// Whether a group may run at node <paramref name="at"/>: every reader of a member's output that is not a member
    /// (nor the joining node) comes after it.
    /// </summary>
    private static bool CanRunAt(List<Node> members, int at, List<int>[] readers)
    {
        var memberSet = members.Select(m => m.Index).ToHashSet();
        foreach (var m in members)
            foreach (int reader in readers[m.Outputs[0]])
                if (reader != at && !memberSet.Contains(reader) && reader < at)
                    return false;
        return true;
    }

    /// <summary>
    /// Unary, binary and where nodes computing f32 from f32 (where's condition may be i32), whose output does not
    /// donate an input (in-place updates keep their own kernel and the planner's donation rules).
    /// </summary>
    private static bool IsFusable(Node node, Graph graph, HashSet<int> donatingValues)
    {
        if (node.Op is not (UnaryOp or BinaryOp or WhereOp)) return false;
        int output = node.Outputs[0];
        if (graph.Values[output].Type.DType != DType.F32 || donatingValues.Contains(output)) return false;
        if (graph.Values[output].Type.Shape.ElementCount == 0) return false;
        for (int i = 0; i < node.Inputs.Count; i++)
        {
            var dtype = graph.Values[node.Inputs[i]].Type.DType;
            bool ok = dtype == DType.F32 || (node.Op is WhereOp && i == 0 && dtype == DType.I32);
            if (!ok) return false;
        }
        return true;
    }
}
