using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Tests;

// The registry is process-global: these tests register uniquely named fake backends and never rely on order.
public sealed class BackendRegistryTests
{
    private sealed class FakeBackend(string name, BackendProbe probe, int devices = 1) : IBackend
    {
        public string Name => name;
        public string Description => "test double";
        public BackendProbe Probe() => probe;
        public IReadOnlyList<DeviceInfo> EnumerateDevices() => probe.IsAvailable
            ? Enumerable.Range(0, devices).Select(i => new DeviceInfo($"{name}:{i}", name, $"fake {i}", "none", 0, new Dictionary<string, string>())).ToArray()
            : [];
        public IDevice Open(DeviceInfo device, DeviceOptions options) => new FakeDevice(device);
    }

    // Prefers its last device, to show "auto" asks the backend which device to open.
    private sealed class RankingBackend(string name, int score) : IBackend
    {
        public string Name => name;
        public string Description => "test double that ranks its devices";
        public BackendProbe Probe() => BackendProbe.Available(score);
        public IReadOnlyList<DeviceInfo> EnumerateDevices() =>
            Enumerable.Range(0, 3).Select(i => new DeviceInfo($"{name}:{i}", name, $"ranked {i}", "none", 0, new Dictionary<string, string>())).ToArray();
        public IDevice Open(DeviceInfo device, DeviceOptions options) => new FakeDevice(device);
        public DeviceInfo PreferredDevice(IReadOnlyList<DeviceInfo> devices) => devices[^1];
    }

    private sealed class FakeDevice(DeviceInfo info) : IDevice
    {
        public DeviceInfo Info => info;
        public Support Supports(Op op, IReadOnlyList<TensorType> inputTypes) => Support.No("fake");
        public IDeviceTensor Allocate(TensorType type, int guardBytes = 0) => new HostMemoryTensor(type, guardBytes);
        public IExecutable Compile(Graph graph) => throw new UnsupportedOpException("fake");
        public void Dispose() { }
    }

    [OneTimeSetUp]
    public void Register()
    {
        BackendRegistry.Register(new FakeBackend("fakeok", BackendProbe.Available(0), devices: 2));
        BackendRegistry.Register(new FakeBackend("fakegone", BackendProbe.Unavailable("libfake.so.1 not found; install fake-driver")));
    }

    [Test]
    public void ExplicitDeviceOpensByIndex()
    {
        using var d = BackendRegistry.Open("fakeok:1");
        Assert.That(d.Info.Id, Is.EqualTo("fakeok:1"));
    }

    [Test]
    public void UnavailableBackendSaysWhy()
    {
        var ex = Assert.Throws<DeviceUnavailableException>(() => BackendRegistry.Open("fakegone:0"));
        Assert.That(ex!.Message, Does.Contain("not available").And.Contain("libfake.so.1 not found"));
    }

    [TestCase("nosuch", "unknown device 'nosuch'")]
    [TestCase("fakeok:5", "has 2 device(s)")]
    [TestCase("fakeok:x", "must be a device index")]
    public void BadDeviceIdsAreClearErrors(string spec, string message)
    {
        var ex = Assert.Throws<DeviceUnavailableException>(() => BackendRegistry.Open(spec));
        Assert.That(ex!.Message, Does.Contain(message));
    }

    [Test]
    public void ExplicitSpecWinsOverEnvironment()
    {
        Assert.That(BackendRegistry.ResolveSpec("fakeok:1"), Is.EqualTo("fakeok:1"));
    }

    [Test]
    [Order(2)]
    public void AutoOpensTheDeviceTheWinningBackendPrefers()
    {
        // The highest score of the whole test assembly, so this backend wins whatever else is registered; it runs
        // after the test below, which needs its own backend to be the best.
        BackendRegistry.Register(new RankingBackend("fakeranked", int.MaxValue));
        var said = new List<string>();
        using var d = BackendRegistry.Open("auto", said.Add);
        Assert.That(d.Info.Id, Is.EqualTo("fakeranked:2"));
        Assert.That(said.Single(), Does.Contain("auto: chose device 'fakeranked:2'"));
    }

    [Test]
    [Order(1)]
    public void AutoNeverPicksAZeroScoreBackendAndSaysWhatItChose()
    {
        BackendRegistry.Register(new FakeBackend("fakebest", BackendProbe.Available(1000)));
        var said = new List<string>();
        using var d = BackendRegistry.Open("auto", said.Add);
        Assert.That(d.Info.Id, Is.EqualTo("fakebest:0"));
        Assert.That(said.Single(), Does.Contain("auto: chose device 'fakebest:0'"));
    }
}
