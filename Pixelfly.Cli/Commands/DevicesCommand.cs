using System.Text.Json.Nodes;
using Pixelfly.Cli.Formatting;
using Pixelfly.Cli.Parsing;
using Pixelfly.Devices;

namespace Pixelfly.Cli.Commands;

/// <summary>`pixelfly devices`: every registered backend (available or not, with the reason) and its devices.</summary>
internal sealed class DevicesCommand : ICommand
{
    public CommandSpec Spec { get; } = new(
        "devices",
        "list backends (available or not, and why) and their devices with capabilities",
        [],
        [new OptionSpec("json", null, "print one JSON object instead of tables")],
        """
        The device that --device auto would pick is shown last. Capability keys are the names that
        PIXELFLY_DISABLE accepts where a feature can be switched off.
        """);

    public int Execute(ParsedArguments args, CommandContext context)
    {
        var backends = BackendRegistry.Backends.Select(Survey).ToArray();
        var (defaultSpec, defaultId, defaultError) = DefaultDevice();
        if (args.Has("json"))
            context.Out.WriteLine(ToJson(backends, defaultSpec, defaultId, defaultError).ToJsonString(JsonOutput.Indented));
        else
            WriteText(context.Out, backends, defaultSpec, defaultId, defaultError);
        return Cli.ExitOk;
    }

    private sealed record BackendSurvey(IBackend Backend, BackendProbe Probe, IReadOnlyList<DeviceInfo> Devices, string? EnumerationError);

    private static BackendSurvey Survey(IBackend backend)
    {
        var probe = backend.Probe();
        if (!probe.IsAvailable) return new(backend, probe, [], null);
        try
        {
            return new(backend, probe, backend.EnumerateDevices(), null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // One broken backend must not hide the others; the listing says what went wrong.
            return new(backend, probe, [], $"{e.GetType().Name}: {e.Message}");
        }
    }

    // What a command without --device would open: PIXELFLY_DEVICE or auto, resolved without opening it.
    private static (string Spec, string? Id, string? Error) DefaultDevice()
    {
        string spec = BackendRegistry.ResolveSpec(null);
        try
        {
            return (spec, BackendRegistry.Find(spec).Device.Id, null);
        }
        catch (DeviceUnavailableException e)
        {
            return (spec, null, e.Message);
        }
    }

    private static void WriteText(TextWriter o, BackendSurvey[] backends, string defaultSpec, string? defaultId, string? defaultError)
    {
        o.WriteLine("backends:");
        var table = new TextTable("NAME", "STATUS", "SCORE", "DESCRIPTION");
        foreach (var b in backends)
            table.Add(b.Backend.Name, b.Probe.IsAvailable ? "available" : "unavailable", b.Probe.Score.ToString(), b.Backend.Description);
        table.Write(o, "  ");
        foreach (var b in backends.Where(b => !b.Probe.IsAvailable))
            o.WriteLine($"  {b.Backend.Name} is unavailable: {b.Probe.Reason ?? "no reason given"}");
        foreach (var b in backends.Where(b => b.EnumerationError is not null))
            o.WriteLine($"  {b.Backend.Name}: listing its devices failed: {b.EnumerationError}");

        o.WriteLine();
        o.WriteLine("devices:");
        var devices = backends.SelectMany(b => b.Devices).ToArray();
        if (devices.Length == 0) o.WriteLine("  (none available)");
        foreach (var d in devices)
        {
            o.WriteLine($"  {d.Id}  {d.Name}");
            o.WriteLine($"    driver: {d.Driver}");
            o.WriteLine($"    memory: {Numbers.Bytes(d.MemoryBytes)}");
            if (d.Capabilities.Count == 0)
                o.WriteLine("    capabilities: (none)");
            else
            {
                o.WriteLine("    capabilities:");
                foreach (var (k, v) in d.Capabilities.OrderBy(p => p.Key, StringComparer.Ordinal))
                    o.WriteLine($"      {k} = {v}");
            }
        }

        o.WriteLine();
        string source = defaultSpec == "auto" ? "auto" : $"{BackendRegistry.DeviceEnvVar}={defaultSpec}";
        o.WriteLine(defaultId is not null
            ? $"default device ({source}): {defaultId}"
            : $"default device ({source}): none ({defaultError})");
    }

    private static JsonObject ToJson(BackendSurvey[] backends, string defaultSpec, string? defaultId, string? defaultError) => new()
    {
        ["backends"] = new JsonArray(backends.Select(b => (JsonNode)new JsonObject
        {
            ["name"] = b.Backend.Name,
            ["description"] = b.Backend.Description,
            ["available"] = b.Probe.IsAvailable,
            ["reason"] = b.Probe.Reason,
            ["score"] = b.Probe.Score,
            ["enumerationError"] = b.EnumerationError,
            ["devices"] = new JsonArray(b.Devices.Select(d => (JsonNode)new JsonObject
            {
                ["id"] = d.Id,
                ["backend"] = d.Backend,
                ["name"] = d.Name,
                ["driver"] = d.Driver,
                ["memoryBytes"] = d.MemoryBytes,
                ["capabilities"] = new JsonObject(d.Capabilities
                    .OrderBy(p => p.Key, StringComparer.Ordinal)
                    .Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
            }).ToArray()),
        }).ToArray()),
        ["default"] = new JsonObject
        {
            ["spec"] = defaultSpec,
            ["device"] = defaultId,
            ["error"] = defaultError,
        },
    };
}
