using System.Runtime.InteropServices;
using Silk.NET.Core.Native;
using Silk.NET.Vulkan;

namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>
/// Collects the Khronos validation layer's warnings and errors through a VK_EXT_debug_utils messenger, so tests can
/// fail on any of them. The entry points are loaded with vkGetInstanceProcAddr (Silk.NET's extension package is not
/// available here).
/// </summary>
internal sealed unsafe class ValidationMessenger : IDisposable
{
    /// <summary>The layer's name.</summary>
    public const string LayerName = "VK_LAYER_KHRONOS_validation";

    /// <summary>The instance extension the messenger needs.</summary>
    public const string ExtensionName = "VK_EXT_debug_utils";

    private readonly List<string> _messages = [];
    private readonly Instance _instance;
    private readonly delegate* unmanaged[Cdecl]<Instance, DebugUtilsMessengerEXT, AllocationCallbacks*, void> _destroy;
    private GCHandle _self;
    private DebugUtilsMessengerEXT _messenger;

    private ValidationMessenger(Instance instance, delegate* unmanaged[Cdecl]<Instance, DebugUtilsMessengerEXT, AllocationCallbacks*, void> destroy, bool echo)
    {
        _instance = instance;
        _destroy = destroy;
        Echo = echo;
    }

    /// <summary>Whether each message is also written to standard error as it arrives (command-line use).</summary>
    public bool Echo { get; }

    /// <summary>Creates the messenger on an instance created with the layer and <see cref="ExtensionName"/>.</summary>
    public static ValidationMessenger Create(Vk vk, Instance instance, bool echo)
    {
        var create = (delegate* unmanaged[Cdecl]<Instance, DebugUtilsMessengerCreateInfoEXT*, AllocationCallbacks*, DebugUtilsMessengerEXT*, Result>)
            (void*)vk.GetInstanceProcAddr(instance, "vkCreateDebugUtilsMessengerEXT").Handle;
        var destroy = (delegate* unmanaged[Cdecl]<Instance, DebugUtilsMessengerEXT, AllocationCallbacks*, void>)
            (void*)vk.GetInstanceProcAddr(instance, "vkDestroyDebugUtilsMessengerEXT").Handle;
        if (create == null || destroy == null)
            throw new InvalidOperationException("the Vulkan loader offers no vkCreateDebugUtilsMessengerEXT although VK_EXT_debug_utils was enabled");
        var messenger = new ValidationMessenger(instance, destroy, echo);
        messenger._self = GCHandle.Alloc(messenger);
        var info = new DebugUtilsMessengerCreateInfoEXT
        {
            SType = StructureType.DebugUtilsMessengerCreateInfoExt,
            MessageSeverity = DebugUtilsMessageSeverityFlagsEXT.WarningBitExt | DebugUtilsMessageSeverityFlagsEXT.ErrorBitExt,
            MessageType = DebugUtilsMessageTypeFlagsEXT.GeneralBitExt | DebugUtilsMessageTypeFlagsEXT.ValidationBitExt | DebugUtilsMessageTypeFlagsEXT.PerformanceBitExt,
            PfnUserCallback = new PfnDebugUtilsMessengerCallbackEXT(&OnMessage),
            PUserData = (void*)GCHandle.ToIntPtr(messenger._self),
        };
        DebugUtilsMessengerEXT handle;
        var result = create(instance, &info, null, &handle);
        if (result != Result.Success)
        {
            messenger._self.Free();
            result.Check("vkCreateDebugUtilsMessengerEXT");
        }
        messenger._messenger = handle;
        return messenger;
    }

    /// <summary>Messages received so far (severity, id and text), oldest first.</summary>
    public IReadOnlyList<string> Messages
    {
        get { lock (_messages) return _messages.ToArray(); }
    }

    /// <summary>Returns the messages received so far and forgets them.</summary>
    public IReadOnlyList<string> Take()
    {
        lock (_messages)
        {
            var all = _messages.ToArray();
            _messages.Clear();
            return all;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_messenger.Handle != 0) _destroy(_instance, _messenger, null);
        _messenger = default;
        if (_self.IsAllocated) _self.Free();
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static Silk.NET.Core.Bool32 OnMessage(DebugUtilsMessageSeverityFlagsEXT severity, DebugUtilsMessageTypeFlagsEXT type, DebugUtilsMessengerCallbackDataEXT* data, void* user)
    {
        // Nothing may unwind into the driver: the message is formatted defensively and always recorded.
        if (GCHandle.FromIntPtr((nint)user).Target is not ValidationMessenger self) return false;
        string level = severity.HasFlag(DebugUtilsMessageSeverityFlagsEXT.ErrorBitExt) ? "error" : "warning";
        string line;
        try
        {
            line = $"[{level}] {SilkMarshal.PtrToString((nint)data->PMessageIdName)}: {SilkMarshal.PtrToString((nint)data->PMessage)}";
        }
        catch (Exception e)
        {
            line = $"[{level}] (the message text could not be read: {e.Message})";
        }
        lock (self._messages) self._messages.Add(line);
        if (self.Echo) Console.Error.WriteLine("vulkan validation " + line);
        return false;
    }
}
