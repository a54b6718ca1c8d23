using DiMml;
using DiMml.AspNetCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a served DI-MML model (<see cref="AddDiMmlModel"/>).</summary>
public static class DiMmlServiceCollectionExtensions
{
    /// <summary>
    /// Serves the model zip at <paramref name="modelPath"/> (saved by <c>mlContext.Model.Save</c> from a DI-MML pipeline):
    /// its DI-MML graph scores requests through ONNX Runtime, concurrent requests coalesced into batches, and a changed file
    /// is swapped in while serving. Map the endpoints with <c>app.MapDiMmlEndpoints(prefix)</c>, which loads the file: a missing
    /// or broken file fails the app's start with a message naming it.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="modelPath">Path of the model zip.</param>
    /// <param name="configure">Changes to the default <see cref="DiMmlServingOptions"/>. The options follow ASP.NET Core's options
    /// pattern, so <c>services.Configure&lt;DiMmlServingOptions&gt;(configuration.GetSection("DiMml"))</c> works too; they are
    /// checked when the endpoints are mapped.</param>
    public static IServiceCollection AddDiMmlModel(this IServiceCollection services, string modelPath,
        Action<DiMmlServingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        var builder = services.AddOptions<DiMmlServingOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<DiMmlServingOptions>>().Value;
            options.Validate();
            return options;
        });
        services.AddSingleton(provider => new ModelHost(modelPath, provider.GetRequiredService<DiMmlServingOptions>(),
            provider.GetRequiredService<ILogger<ModelHost>>()));
        services.AddSingleton(provider => new ScoringQueue(provider.GetRequiredService<ModelHost>(),
            provider.GetRequiredService<DiMmlServingOptions>()));
        return services;
    }
}
