using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace DiMml;

/// <summary>
/// The ML.NET environment a DI-MML component runs in, with the built-in catalogs bound to it, so that the
/// estimators we compose share the user's log, random source, temp folder and GPU setting.
/// </summary>
/// <remarks>
/// ML.NET gives a package outside it no public way to do three things, so they go through reflection into its internals:
/// <list type="bullet">
/// <item><see cref="CatalogEnvironment"/>: a catalog extension sees only the catalog, whose environment sits behind the internal
/// <c>IInternalCatalog</c> (every ML.NET package reads it through the internal <c>CatalogUtils</c>);</item>
/// <item><see cref="CatalogConstructor"/>: the catalogs of that environment (the ML.NET transforms we compose) have internal
/// constructors;</item>
/// <item><see cref="CancellationInterface"/>: <c>MLContext.CancelExecution</c> sets an internal <c>ICancelable.IsCanceled</c> on the
/// environment (an MLContext keeps it in the private field <c>_env</c>), and ML.NET offers no token.</item>
/// </list>
/// Each site is named by a constant here; <see cref="MissingTargets"/> lists those this ML.NET version lacks, which the package
/// tests check for every supported ML.NET version. Without the cancellation state a Fit logs a warning and still honours the
/// options' CancellationToken; without the catalog targets the catalog method fails naming the constructor that works instead.
/// </remarks>
internal sealed class MLNetEnvironment
{
    /// <summary>The internal interface behind which a catalog keeps its environment.</summary>
    public const string CatalogEnvironment = "Microsoft.ML.Data.IInternalCatalog.Environment";

    /// <summary>The internal catalog constructors taking an environment.</summary>
    public const string CatalogConstructor = "TransformsCatalog(IHostEnvironment), DataOperationsCatalog(IHostEnvironment)";

    /// <summary>The internal interface an environment's cancellation state is read from.</summary>
    public const string CancellationInterface = "Microsoft.ML.Runtime.ICancelable.IsCanceled (MLContext._env)";

    private const string EnvironmentField = "_env";

    private MLNetEnvironment(IHostEnvironment host, TransformsCatalog transforms, DataOperationsCatalog data)
    {
        Host = host;
        Transforms = transforms;
        Data = data;
        IsCanceled = CancellationState(host);
    }

    public IHostEnvironment Host { get; }

    /// <summary>Whether <c>MLContext.CancelExecution</c> was called, the state ML.NET's own trainers check; null when this
    /// ML.NET version does not expose it where expected.</summary>
    public Func<bool>? IsCanceled { get; }

    public TransformsCatalog Transforms { get; }

    public DataOperationsCatalog Data { get; }

    public static MLNetEnvironment Of(MLContext mlContext) => new(mlContext, mlContext.Transforms, mlContext.Data);

    public static MLNetEnvironment Of(TransformsCatalog catalog) => OfCatalog(catalog);

    public static MLNetEnvironment Of(TrainCatalogBase.CatalogInstantiatorBase catalog) => OfCatalog(catalog);

    /// <summary>The reflection sites whose target this ML.NET version lacks (empty when all are found).</summary>
    public static IReadOnlyList<string> MissingTargets()
    {
        var context = new MLContext(seed: 0);
        var missing = new List<string>();
        if (EnvironmentOf(context.Transforms) is not { } host)
        {
            missing.Add(CatalogEnvironment);
            return [.. missing, CatalogConstructor, CancellationInterface];
        }

        if (Create<TransformsCatalog>(host) is null || Create<DataOperationsCatalog>(host) is null)
        {
            missing.Add(CatalogConstructor);
        }

        if (CancellationState(context) is null || CancellationState(host) is null)
        {
            missing.Add(CancellationInterface);
        }

        return missing;
    }

    private static MLNetEnvironment OfCatalog(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var host = EnvironmentOf(catalog) ?? throw Unsupported(CatalogEnvironment);
        return new(host, Create<TransformsCatalog>(host) ?? throw Unsupported(CatalogConstructor),
            Create<DataOperationsCatalog>(host) ?? throw Unsupported(CatalogConstructor));
    }

    private static IHostEnvironment? EnvironmentOf(object catalog) => catalog.GetType().GetInterfaces()
        .FirstOrDefault(i => i.FullName == "Microsoft.ML.Data.IInternalCatalog")?
        .GetProperty("Environment")?.GetValue(catalog) as IHostEnvironment;

    /// <summary>The GPU setting ML.NET's deep-learning trainers follow: <c>MLContext.GpuDeviceId</c> and
    /// <c>FallbackToCpu</c> (an environment behind a catalog keeps them on an internal interface), read at Fit time.</summary>
    public (int? GpuDeviceId, bool FallbackToCpu) GpuSetting()
    {
        if (Host is MLContext context)
        {
            return (context.GpuDeviceId, context.FallbackToCpu);
        }

        var type = Host.GetType();
        PropertyInfo? Find(string name) =>
            type.GetProperty(name) ?? type.GetInterfaces().Select(i => i.GetProperty(name)).FirstOrDefault(p => p is not null);
        return (Find("GpuDeviceId")?.GetValue(Host) as int?, Find("FallbackToCpu")?.GetValue(Host) is true);
    }

    /// <summary>Logs, once per Fit, that <c>MLContext.CancelExecution</c> cannot reach this Fit on this ML.NET version.</summary>
    public void WarnIfCancellationUnreachable(IChannel channel)
    {
        if (IsCanceled is null)
        {
            channel.Warning(MessageSensitivity.None, $"MLContext.CancelExecution cannot stop this Fit: ML.NET {MLNetVersion} does " +
                $"not expose {CancellationInterface} where DiMml looks for it. Cancel the options' CancellationToken instead.");
        }
    }

    private static string MLNetVersion => typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
        ?.InformationalVersion.Split('+')[0] ?? "(unknown)";

    private static Func<bool>? CancellationState(IHostEnvironment host)
    {
        object? target = host is MLContext context
            ? typeof(MLContext).GetField(EnvironmentField, BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(context)
            : host;
        var property = target?.GetType().GetInterfaces().FirstOrDefault(i => i.Name == "ICancelable")?.GetProperty("IsCanceled");
        return property is null ? null : () => property.GetValue(target) is true;
    }

    private static InvalidOperationException Unsupported(string site) => new(
        $"DiMml's catalog methods cannot reach {site} in ML.NET {MLNetVersion}, which this DiMml version was not tested with; " +
            "use the constructors that take the MLContext (new DiMmlTrainer(mlContext, options), ...) instead.");

    private static T? Create<T>(IHostEnvironment host) where T : class =>
        typeof(T).GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, [typeof(IHostEnvironment)])?.Invoke([host]) as T;
}
