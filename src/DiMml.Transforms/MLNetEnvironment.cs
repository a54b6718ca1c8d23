using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace DiMml;

/// <summary>
/// The ML.NET environment a DI-MML component runs in, with the built-in catalogs bound to it, so that the
/// estimators we compose share the user's log, random source, temp folder and GPU setting.
/// </summary>
/// <remarks>
/// A catalog extension only sees the catalog, and ML.NET keeps a catalog's environment (a LocalEnvironment, not
/// the MLContext) and the catalogs' constructors internal; both are reached by reflection, which is pinned to
/// the ML.NET version this package is built against. Code that holds the MLContext uses no reflection.
/// </remarks>
internal sealed class MLNetEnvironment
{
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

    private static MLNetEnvironment OfCatalog(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var host = catalog.GetType().GetInterfaces()
            .FirstOrDefault(i => i.FullName == "Microsoft.ML.Data.IInternalCatalog")?
            .GetProperty("Environment")?.GetValue(catalog) as IHostEnvironment;
        return host is null
            ? throw new InvalidOperationException($"Could not reach the ML.NET environment behind this catalog. {Fallback}")
            : new(host, Create<TransformsCatalog>(host), Create<DataOperationsCatalog>(host));
    }

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

    // ML.NET's environments implement an internal ICancelable; an MLContext holds its environment in a private field.
    private static Func<bool>? CancellationState(IHostEnvironment host)
    {
        object? target = host is MLContext context
            ? typeof(MLContext).GetField("_env", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(context)
            : host;
        var property = target?.GetType().GetInterfaces().FirstOrDefault(i => i.Name == "ICancelable")?.GetProperty("IsCanceled");
        return property is null ? null : () => property.GetValue(target) is true;
    }

    private const string Fallback = "This ML.NET version is not the one DiMml.MLNet was built for; use new DiMmlTrainer(mlContext, " +
        "options) instead.";

    private static T Create<T>(IHostEnvironment host) =>
        (T?)Activator.CreateInstance(typeof(T), BindingFlags.NonPublic | BindingFlags.Instance, null, [host], null)
        ?? throw new InvalidOperationException($"Could not create {typeof(T).Name} for the catalog's environment. {Fallback}");
}
