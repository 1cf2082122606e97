using System.Runtime.InteropServices;
using Silk.NET.Core.Native;
using Silk.NET.Vulkan;

namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>A compute pipeline and the layout its descriptor sets and push constants use.</summary>
/// <remarks><see cref="Writable"/>[i]: whether binding i is declared writable in the shader (see <see cref="ShaderBindings"/>).</remarks>
internal sealed record ComputePipeline(Pipeline Handle, PipelineLayout Layout, DescriptorSetLayout SetLayout, int Bindings, int PushBytes, bool[] Writable);

/// <summary>
/// Shader modules, descriptor-set layouts (n storage buffers), pipeline layouts and pipelines, each created once per
/// device and shared by every executable: one pipeline per shader + specialization + binding count + push size,
/// created through the device's VkPipelineCache.
/// </summary>
internal sealed unsafe class Pipelines(VulkanContext context) : IDisposable
{
    private readonly Dictionary<(ShaderLibrary, string), (ShaderModule Module, bool[] Writable)> _modules = [];
    private readonly Dictionary<int, DescriptorSetLayout> _setLayouts = [];
    private readonly Dictionary<(int, int), PipelineLayout> _layouts = [];
    private readonly Dictionary<(ShaderLibrary, string, string, int, int), ComputePipeline> _pipelines = [];

    /// <summary>The pipeline for a shader with these specialization constants, bindings and push-constant size.</summary>
    public ComputePipeline Get(ShaderLibrary library, string shader, uint[] specialization, int bindings, int pushBytes)
    {
        if (pushBytes % 4 != 0 || pushBytes > 128)
            throw new ArgumentException($"shader '{shader}': push constants must be whole 32-bit words and at most 128 bytes (got {pushBytes})");
        var key = (library, shader, string.Join(",", specialization), bindings, pushBytes);
        lock (_pipelines)
        {
            if (_pipelines.TryGetValue(key, out var found)) return found;
            var (module, writable) = Module(library, shader);
            var setLayout = SetLayout(bindings);
            var layout = Layout(bindings, pushBytes);
            var entries = new SpecializationMapEntry[specialization.Length];
            for (int i = 0; i < entries.Length; i++) entries[i] = new SpecializationMapEntry((uint)i, (uint)(4 * i), 4);
            var entry = SilkMarshal.StringToPtr("main");
            try
            {
                fixed (SpecializationMapEntry* e = entries)
                fixed (uint* data = specialization)
                {
                    var spec = new SpecializationInfo((uint)entries.Length, e, (nuint)(4 * specialization.Length), data);
                    var info = new ComputePipelineCreateInfo
                    {
                        SType = StructureType.ComputePipelineCreateInfo,
                        Stage = new PipelineShaderStageCreateInfo
                        {
                            SType = StructureType.PipelineShaderStageCreateInfo,
                            Stage = ShaderStageFlags.ComputeBit,
                            Module = module,
                            PName = (byte*)entry,
                            PSpecializationInfo = specialization.Length > 0 ? &spec : null,
                        },
                        Layout = layout,
                    };
                    Pipeline pipeline;
                    context.Vk.CreateComputePipelines(context.Device, context.PipelineCache, 1, &info, null, &pipeline)
                        .Check($"vkCreateComputePipelines (shader '{shader}', specialization [{string.Join(", ", specialization)}])");
                    return _pipelines[key] = new ComputePipeline(pipeline, layout, setLayout, bindings, pushBytes, writable);
                }
            }
            finally
            {
                SilkMarshal.Free(entry);
            }
        }
    }

    /// <summary>How many distinct pipelines exist.</summary>
    public int Count
    {
        get { lock (_pipelines) return _pipelines.Count; }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        var vk = context.Vk;
        var d = context.Device;
        foreach (var p in _pipelines.Values) vk.DestroyPipeline(d, p.Handle, null);
        foreach (var l in _layouts.Values) vk.DestroyPipelineLayout(d, l, null);
        foreach (var s in _setLayouts.Values) vk.DestroyDescriptorSetLayout(d, s, null);
        foreach (var m in _modules.Values) vk.DestroyShaderModule(d, m.Module, null);
        _pipelines.Clear();
        _layouts.Clear();
        _setLayouts.Clear();
        _modules.Clear();
    }

    private (ShaderModule, bool[]) Module(ShaderLibrary library, string shader)
    {
        if (_modules.TryGetValue((library, shader), out var m)) return m;
        var code = library.Load(shader);
        var writable = ShaderBindings.Writable(code);
        fixed (byte* p = code)
        {
            var info = new ShaderModuleCreateInfo { SType = StructureType.ShaderModuleCreateInfo, CodeSize = (nuint)code.Length, PCode = (uint*)p };
            ShaderModule module;
            context.Vk.CreateShaderModule(context.Device, &info, null, &module).Check($"vkCreateShaderModule ('{shader}')");
            return _modules[(library, shader)] = (module, writable);
        }
    }

    private DescriptorSetLayout SetLayout(int bindings)
    {
        if (_setLayouts.TryGetValue(bindings, out var l)) return l;
        var b = new DescriptorSetLayoutBinding[Math.Max(1, bindings)];
        for (int i = 0; i < bindings; i++)
            b[i] = new DescriptorSetLayoutBinding((uint)i, DescriptorType.StorageBuffer, 1, ShaderStageFlags.ComputeBit);
        fixed (DescriptorSetLayoutBinding* p = b)
        {
            var info = new DescriptorSetLayoutCreateInfo { SType = StructureType.DescriptorSetLayoutCreateInfo, BindingCount = (uint)bindings, PBindings = p };
            DescriptorSetLayout layout;
            context.Vk.CreateDescriptorSetLayout(context.Device, &info, null, &layout).Check("vkCreateDescriptorSetLayout");
            return _setLayouts[bindings] = layout;
        }
    }

    private PipelineLayout Layout(int bindings, int pushBytes)
    {
        if (_layouts.TryGetValue((bindings, pushBytes), out var l)) return l;
        var set = SetLayout(bindings);
        var range = new PushConstantRange(ShaderStageFlags.ComputeBit, 0, (uint)pushBytes);
        var info = new PipelineLayoutCreateInfo
        {
            SType = StructureType.PipelineLayoutCreateInfo,
            SetLayoutCount = 1,
            PSetLayouts = &set,
            PushConstantRangeCount = pushBytes > 0 ? 1u : 0u,
            PPushConstantRanges = &range,
        };
        PipelineLayout layout;
        context.Vk.CreatePipelineLayout(context.Device, &info, null, &layout).Check("vkCreatePipelineLayout");
        return _layouts[(bindings, pushBytes)] = layout;
    }
}
