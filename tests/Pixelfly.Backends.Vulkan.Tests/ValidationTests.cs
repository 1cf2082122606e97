using Pixelfly.Backends.Vulkan.Runtime;
using Silk.NET.Vulkan;
using VkBuffer = Silk.NET.Vulkan.Buffer;

namespace Pixelfly.Backends.Vulkan.Tests;

/// <summary>The validation harness itself: it must see a real mistake, or the suite's "no messages" proves nothing.</summary>
public sealed unsafe class ValidationTests(int index) : VulkanFixture(index)
{
    [Test]
    public void The_validation_layer_is_on_for_test_devices()
    {
        Assert.That(Device.ValidationEnabled);
    }

    [Test]
    public void A_deliberately_invalid_call_is_caught()
    {
        var context = Device.Context;
        // A zero-sized buffer violates VUID-VkBufferCreateInfo-size-00912.
        var info = new BufferCreateInfo { SType = StructureType.BufferCreateInfo, Size = 0, Usage = BufferUsageFlags.StorageBufferBit, SharingMode = SharingMode.Exclusive };
        VkBuffer buffer;
        var result = context.Vk.CreateBuffer(context.Device, &info, null, &buffer);
        if (result == Result.Success) context.Vk.DestroyBuffer(context.Device, buffer, null);

        var messages = Device.TakeValidationMessages();

        Assert.That(messages, Has.Some.Contains("VUID-VkBufferCreateInfo-size"), string.Join("\n", messages));
    }

    [Test]
    public void An_object_left_alive_when_the_device_closes_is_reported()
    {
        var device = VulkanTestDevices.Open(Index);
        var context = device.Context;
        var info = new BufferCreateInfo { SType = StructureType.BufferCreateInfo, Size = 64, Usage = BufferUsageFlags.StorageBufferBit, SharingMode = SharingMode.Exclusive };
        VkBuffer buffer;
        Assert.That(context.Vk.CreateBuffer(context.Device, &info, null, &buffer), Is.EqualTo(Result.Success));

        device.Dispose();
        var messages = device.TakeValidationMessages();

        Assert.That(messages, Has.Some.Contains("VkBuffer"), string.Join("\n", messages));
    }

    [Test]
    public void A_missing_barrier_is_caught_by_synchronization_validation()
    {
        var context = Device.Context;
        using var a = DeviceBuffer.DeviceLocal(context, 256, "hazard source");
        using var b = DeviceBuffer.DeviceLocal(context, 256, "hazard target");
        // Fill a, then copy it without the barrier the copy's read needs: a read-after-write hazard.
        lock (context.Gate)
            context.SubmitAndWait(cb =>
            {
                context.Vk.CmdFillBuffer(cb, a.Handle, 0, 256, 7);
                var region = new BufferCopy(0, 0, 256);
                context.Vk.CmdCopyBuffer(cb, a.Handle, b.Handle, 1, &region);
            });

        var messages = Device.TakeValidationMessages();

        Assert.That(messages, Has.Some.Contains("SYNC-HAZARD-READ-AFTER-WRITE"), string.Join("\n", messages));
    }
}
