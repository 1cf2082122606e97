using Pixelfly.Backends.Vulkan.Runtime;
using Pixelfly.Devices;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Tests;

/// <summary>Device-local tensors: upload, download, guards and bad input.</summary>
public sealed class TensorTests(int index) : VulkanFixture(index)
{
    [TestCase(DType.F32, 1)]
    [TestCase(DType.F32, 1000)]
    [TestCase(DType.F16, 7)]
    [TestCase(DType.BF16, 3)]
    [TestCase(DType.I32, 5)]
    public void Upload_then_download_returns_the_same_bytes(DType dtype, int n)
    {
        var type = new TensorType(dtype, n);
        var bytes = new byte[type.ByteCount];
        new Random(n).NextBytes(bytes);
        using var t = Device.Allocate(type, guardBytes: 64);
        t.Upload(bytes);
        var back = new byte[type.ByteCount];
        t.Download(back);
        Assert.That(back, Is.EqualTo(bytes));
        Assert.That(t.GuardsIntact());
    }

    [Test]
    public void A_write_into_either_guard_band_is_detected()
    {
        var t = (VulkanTensor)Device.Allocate(new TensorType(DType.F32, 10), guardBytes: 16);
        using (t)
        {
            Assert.That(t.GuardsIntact());
            Device.Transfers.Fill(t.Buffer, (t.DataOffset + t.DataBytes, 4, 0));
            Assert.That(t.GuardsIntact(), Is.False, "trailing guard overwritten");
        }
        var u = (VulkanTensor)Device.Allocate(new TensorType(DType.F32, 10), guardBytes: 16);
        using (u)
        {
            Device.Transfers.Fill(u.Buffer, (u.DataOffset - 4, 4, 0));
            Assert.That(u.GuardsIntact(), Is.False, "leading guard overwritten");
        }
    }

    [Test]
    public void Asking_for_more_memory_than_the_heap_holds_names_both_sizes()
    {
        var e = Assert.Throws<OutOfMemoryException>(() => DeviceBuffer.DeviceLocal(Device.Context, 1ul << 50, "a test buffer").Dispose());
        Assert.That(e!.Message, Does.Contain("1048576 GiB").And.Contain("heap").And.Contain("a test buffer"));
    }

    [Test]
    public void A_new_tensor_is_zeroed()
    {
        using var t = Device.Allocate(new TensorType(DType.F32, 33), guardBytes: 8);
        var back = new byte[t.Type.ByteCount];
        Array.Fill(back, (byte)1);
        t.Download(back);
        Assert.That(back, Is.All.EqualTo((byte)0));
    }

    [Test]
    public void Wrong_byte_counts_are_rejected_with_both_sizes()
    {
        using var t = Device.Allocate(new TensorType(DType.F32, 4));
        var e = Assert.Throws<ArgumentException>(() => t.Upload(new byte[15]));
        Assert.That(e!.Message, Does.Contain("15").And.Contain("16"));
        e = Assert.Throws<ArgumentException>(() => t.Download(new byte[20]));
        Assert.That(e!.Message, Does.Contain("20").And.Contain("16"));
    }

    [Test]
    public void A_disposed_tensor_refuses_transfers()
    {
        var t = Device.Allocate(new TensorType(DType.F32, 4));
        t.Dispose();
        Assert.Throws<ObjectDisposedException>(() => t.Upload(new byte[16]));
        Assert.Throws<ObjectDisposedException>(() => t.Download(new byte[16]));
        t.Dispose();
    }

    [Test]
    public void A_tensor_larger_than_the_storage_buffer_range_is_rejected_clearly()
    {
        long range = long.Parse(Device.Info.Capabilities["max.storage.buffer.range"]);
        int elements = checked((int)(range / 4 + 1));
        var e = Assert.Throws<NotSupportedException>(() => Device.Allocate(new TensorType(DType.F32, elements)));
        Assert.That(e!.Message, Does.Contain("maxStorageBufferRange"));
    }

    [Test]
    public void F64_tensors_are_rejected()
    {
        var e = Assert.Throws<NotSupportedException>(() => Device.Allocate(new TensorType(DType.F64, 2)));
        Assert.That(e!.Message, Does.Contain("f64"));
    }

    [Test]
    public void A_disposed_device_refuses_allocations_and_transfers_of_its_tensors()
    {
        var device = VulkanTestDevices.Open(Index);
        var t = device.Allocate(new TensorType(DType.F32, 4));
        device.Dispose();
        Assert.Throws<ObjectDisposedException>(() => device.Allocate(new TensorType(DType.F32, 4)));
        Assert.Throws<ObjectDisposedException>(() => t.Upload(new byte[16]), "the tensor's memory went with its device");
        Assert.Throws<ObjectDisposedException>(() => t.Download(new byte[16]));
        t.Dispose();
        Assert.That(device.TakeValidationMessages(), Is.Empty);
    }
}
