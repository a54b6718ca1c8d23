using DiMml.MLNet.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml;

/// <summary>
/// A transformer of this package that scores through ML.NET's built-in ONNX transformer and conversions, so
/// <c>mlContext.Model.Save</c> writes a zip that loads with Microsoft.ML, Microsoft.ML.OnnxTransformer and
/// Microsoft.ML.OnnxRuntime alone. After <c>Model.Load</c> it comes back as a plain transformer chain (ML.NET's rule);
/// <see cref="DiMmlModelInfo"/> reads its metadata from the model file.
/// </summary>
public abstract class OnnxScoredTransformer : ITransformer, ICanSaveModel, IDisposable
{
    private readonly ITransformer scoring;
    private readonly OnnxModelFile scoringGraph;
    private readonly byte[] standaloneGraph;

    private protected OnnxScoredTransformer(ITransformer scoring, OnnxModelFile scoringGraph, byte[] standaloneGraph)
    {
        this.scoring = scoring;
        this.scoringGraph = scoringGraph;
        this.standaloneGraph = standaloneGraph;
    }

    /// <inheritdoc />
    public bool IsRowToRowMapper => scoring.IsRowToRowMapper;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => scoring.GetOutputSchema(inputSchema);

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => scoring.GetRowToRowMapper(inputSchema);

    /// <inheritdoc />
    public IDataView Transform(IDataView input) => scoring.Transform(input);

    /// <summary>
    /// Writes the standalone batched ONNX model: one input <c>[N, F]</c> per input column, named after it, and
    /// batched outputs (<c>Score</c>, <c>BranchWeights</c>, <c>PredictedIndex</c> <c>[N, 1]</c> with −1 where every
    /// input of the row is missing, and <c>Score.{modality}</c> for models); NaN in a row of an input marks it missing.
    /// Metadata (modalities, classes, temperature) is in the model's metadata_props.
    /// </summary>
    /// <param name="stream">Where to write the .onnx bytes.</param>
    public void ExportOnnx(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(standaloneGraph);
    }

    /// <summary>Saves the built-in scoring chain; called by <c>mlContext.Model.Save</c>.</summary>
    /// <param name="ctx">ML.NET's save context.</param>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)scoring).Save(ctx);

    /// <summary>Releases the ONNX Runtime session and deletes the temporary graph file; the transformer cannot be saved
    /// afterwards.</summary>
    public void Dispose()
    {
        (scoring as IDisposable)?.Dispose();
        scoringGraph.Dispose();
        GC.SuppressFinalize(this);
    }
}
