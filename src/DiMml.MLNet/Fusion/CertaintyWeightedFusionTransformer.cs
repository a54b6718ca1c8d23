using DiMml.MLNet.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet;

/// <summary>
/// Fitted certainty-weighted fusion (see <see cref="CertaintyWeightedFusionEstimator"/>); scores through ML.NET's
/// ONNX transformer and saves with <c>mlContext.Model.Save</c> like any built-in transformer.
/// </summary>
public sealed class CertaintyWeightedFusionTransformer : ITransformer, ICanSaveModel, IDisposable
{
    private readonly ITransformer scoring;
    private readonly OnnxModelFile graph;

    internal CertaintyWeightedFusionTransformer(ITransformer scoring, OnnxModelFile graph)
    {
        this.scoring = scoring;
        this.graph = graph;
    }

    /// <inheritdoc />
    public bool IsRowToRowMapper => scoring.IsRowToRowMapper;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => scoring.GetOutputSchema(inputSchema);

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => scoring.GetRowToRowMapper(inputSchema);

    /// <inheritdoc />
    public IDataView Transform(IDataView input) => scoring.Transform(input);

    /// <summary>Saves the built-in scoring chain; called by <c>mlContext.Model.Save</c>.</summary>
    /// <param name="ctx">ML.NET's save context.</param>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)scoring).Save(ctx);

    /// <summary>Releases the ONNX Runtime session and deletes the temporary graph file; the transformer cannot be saved afterwards.</summary>
    public void Dispose()
    {
        (scoring as IDisposable)?.Dispose();
        graph.Dispose();
    }
}
