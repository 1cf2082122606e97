using System.Text.Json.Nodes;
using Pixelfly.Devices;

namespace Pixelfly.Cli.Tests;

public sealed class DevicesCommandTests
{
    [SetUp]
    public void RegisterAnUnavailableBackend() => MissingDriverBackend.Register();

    [Test]
    public void TheTableListsEveryBackendAndTheReasonOfTheUnavailableOnes()
    {
        string stdout = CliHarness.Succeeds("devices");
        foreach (var b in BackendRegistry.Backends)
            Assert.That(stdout, Does.Match($@"(?m)^  {b.Name}\s+(available|unavailable)\s"), b.Name);
        Assert.That(stdout, Does.Contain($"{MissingDriverBackend.BackendName} is unavailable: {MissingDriverBackend.Reason}"));
    }

    [Test]
    public void TheTableShowsEachDevicesIdNameDriverMemoryAndCapabilities()
    {
        string stdout = CliHarness.Succeeds("devices");
        foreach (var id in TestDevices.AllAvailable())
        {
            var (_, info) = BackendRegistry.Find(id);
            Assert.That(stdout, Does.Contain($"  {info.Id}  {info.Name}"));
            Assert.That(stdout, Does.Contain($"driver: {info.Driver}"));
            foreach (var (k, v) in info.Capabilities)
                Assert.That(stdout, Does.Contain($"{k} = {v}"));
        }
        Assert.That(stdout, Does.Contain("memory: "));
        Assert.That(stdout, Does.Match(@"default device \((auto|PIXELFLY_DEVICE=.*)\): "));
    }

    [Test]
    public void JsonListsTheSameBackendsAndDevices()
    {
        var json = JsonNode.Parse(CliHarness.Succeeds("devices", "--json"))!;
        var backends = json["backends"]!.AsArray();
        Assert.That(backends.Select(b => (string)b!["name"]!), Is.EqualTo(BackendRegistry.Backends.Select(b => b.Name)));
        var missing = backends.Single(b => (string)b!["name"]! == MissingDriverBackend.BackendName)!;
        Assert.That((bool)missing["available"]!, Is.False);
        Assert.That((string)missing["reason"]!, Is.EqualTo(MissingDriverBackend.Reason));

        var devices = backends.SelectMany(b => b!["devices"]!.AsArray()).ToArray();
        Assert.That(devices.Select(d => (string)d!["id"]!), Is.EquivalentTo(TestDevices.AllAvailable()));
        var reference = devices.Single(d => (string)d!["id"]! == "ref")!;
        var (_, info) = BackendRegistry.Find("ref");
        Assert.That((string)reference["name"]!, Is.EqualTo(info.Name));
        Assert.That((long)reference["memoryBytes"]!, Is.EqualTo(info.MemoryBytes));
        Assert.That(reference["capabilities"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(info.Capabilities.Keys));
        Assert.That(json["default"]!["spec"], Is.Not.Null);
    }
}
