namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>
/// Reads which storage buffers of descriptor set 0 a SPIR-V module may write (those not decorated NonWritable, i.e.
/// not declared <c>readonly</c>), so that the barrier placement follows what a shader can do, not only what its
/// lowering says it does.
/// </summary>
internal static class ShaderBindings
{
    private const int OpTypeStruct = 30, OpTypePointer = 32, OpVariable = 59, OpDecorate = 71, OpMemberDecorate = 72;
    private const int DecorationNonWritable = 24, DecorationBinding = 33, DecorationDescriptorSet = 34;

    /// <summary>For each binding of set 0 (index = binding), whether the shader may write it.</summary>
    public static bool[] Writable(byte[] spirv)
    {
        if (spirv.Length % 4 != 0 || spirv.Length < 20 || BitConverter.ToUInt32(spirv, 0) != 0x07230203)
            throw new ArgumentException("not a SPIR-V module", nameof(spirv));
        var words = new uint[spirv.Length / 4];
        System.Buffer.BlockCopy(spirv, 0, words, 0, spirv.Length);
        var binding = new Dictionary<uint, uint>();
        var set = new Dictionary<uint, uint>();
        var nonWritable = new HashSet<uint>();
        var memberNonWritable = new Dictionary<uint, HashSet<uint>>();
        var memberCount = new Dictionary<uint, int>();
        var pointee = new Dictionary<uint, uint>();
        var variableType = new Dictionary<uint, uint>();
        for (int i = 5; i < words.Length;)
        {
            int op = (int)(words[i] & 0xFFFF), count = (int)(words[i] >> 16);
            if (count == 0 || i + count > words.Length) throw new ArgumentException($"malformed SPIR-V instruction at word {i}", nameof(spirv));
            switch (op)
            {
                case OpDecorate when words[i + 2] == DecorationBinding:
                    binding[words[i + 1]] = words[i + 3];
                    break;
                case OpDecorate when words[i + 2] == DecorationDescriptorSet:
                    set[words[i + 1]] = words[i + 3];
                    break;
                case OpDecorate when words[i + 2] == DecorationNonWritable:
                    nonWritable.Add(words[i + 1]);
                    break;
                case OpMemberDecorate when words[i + 3] == DecorationNonWritable:
                    if (!memberNonWritable.TryGetValue(words[i + 1], out var members)) memberNonWritable[words[i + 1]] = members = [];
                    members.Add(words[i + 2]);
                    break;
                case OpTypeStruct:
                    memberCount[words[i + 1]] = count - 2;
                    break;
                case OpTypePointer:
                    pointee[words[i + 1]] = words[i + 3];
                    break;
                case OpVariable:
                    variableType[words[i + 2]] = words[i + 1];
                    break;
            }
            i += count;
        }
        var result = new List<bool>();
        foreach (var (variable, b) in binding)
        {
            if (set.GetValueOrDefault(variable) != 0) continue;
            bool readOnly = nonWritable.Contains(variable);
            if (!readOnly && variableType.TryGetValue(variable, out uint pointer) && pointee.TryGetValue(pointer, out uint block)
                && memberCount.TryGetValue(block, out int n) && n > 0)
                readOnly = memberNonWritable.TryGetValue(block, out var members) && members.Count == n;
            while (result.Count <= b) result.Add(false);
            result[(int)b] = !readOnly;
        }
        return result.ToArray();
    }
}
