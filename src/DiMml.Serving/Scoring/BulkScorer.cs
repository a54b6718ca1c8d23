using DiMml.Serving.Runtime;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DiMml.Serving;

/// <summary>
/// Scores a large IDataView in batches through the batched ONNX graph of a trained model (<c>ExportOnnx</c>), one ONNX
/// Runtime call per batch instead of ML.NET's one call per row. The predictions equal <c>Transform</c>'s (Score,
/// BranchWeights, PredictedLabel as the class name), in input order; the input is read once, with one cursor.
/// </summary>
public sealed class BulkScorer : IDisposable
{
    private readonly InferenceSession session;
    private readonly int[] inputSizes;

    /// <summary>Creates a scorer from a batched graph written by <c>ExportOnnx</c> (or use <c>CreateBulkScorer</c> on a trained
    /// model).</summary>
    /// <param name="batchedOnnx">The .onnx bytes.</param>
    /// <param name="options">ONNX Runtime session settings (threads, execution provider); null for the defaults.</param>
    public BulkScorer(byte[] batchedOnnx, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(batchedOnnx);
        try
        {
            session = OnnxRuntimeBackend.Explain(() =>
                options is null ? new InferenceSession(batchedOnnx) : new InferenceSession(batchedOnnx, options));
        }
        catch (OnnxRuntimeException e)
        {
            throw new ArgumentException($"ONNX Runtime cannot load these bytes ({e.Message}); pass the graph written by ExportOnnx.",
                nameof(batchedOnnx), e);
        }

        var metadata = session.ModelMetadata.CustomMetadataMap;
        if (!metadata.ContainsKey(ModelMetadataKeys.Kind) || !metadata.TryGetValue(ModelMetadataKeys.Columns, out var columns)
            || !metadata.TryGetValue(ModelMetadataKeys.Classes, out var classes))
        {
            session.Dispose();
            throw new ArgumentException(
                $"This ONNX graph is not a trained DI-MML model's batched export (no {ModelMetadataKeys.Columns} / " +
                $"{ModelMetadataKeys.Classes} metadata); write it with ExportOnnx.", nameof(batchedOnnx));
        }

        InputColumns = columns.Split('\n');
        ClassNames = classes.Split('\n');
        inputSizes = InputColumns.Select(c => (int)session.InputMetadata[c].Dimensions[1]).ToArray();
    }

    /// <summary>The modality columns the model reads, in input order.</summary>
    public IReadOnlyList<string> InputColumns { get; }

    /// <summary>Class names, in the order of the Score slots.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Scores every row of <paramref name="data"/>, lazily, batch by batch.</summary>
    /// <param name="data">Rows with the model's modality columns (known-size float vectors of the trained sizes).</param>
    /// <param name="batchSize">Rows per ONNX Runtime call. Default 1024.</param>
    public IEnumerable<BulkPrediction> Score(IDataView data, int batchSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var columns = InputColumns.Select((name, m) => Column(data.Schema, name, inputSizes[m])).ToArray();
        return Batches(data, columns, batchSize);
    }

    /// <summary>Scores every row of <paramref name="data"/> into an IDataView with Score, BranchWeights and PredictedLabel
    /// (text), computed when a cursor reads it.</summary>
    /// <param name="mlContext">The context that builds the view.</param>
    /// <param name="data">Rows with the model's modality columns.</param>
    /// <param name="batchSize">Rows per ONNX Runtime call. Default 1024.</param>
    public IDataView Transform(MLContext mlContext, IDataView data, int batchSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        var rows = Score(data, batchSize);
        var schema = SchemaDefinition.Create(typeof(BulkPrediction));
        schema[nameof(BulkPrediction.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, ClassNames.Count);
        schema[nameof(BulkPrediction.BranchWeights)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, BranchCount);
        return mlContext.Data.LoadFromEnumerable(rows, schema);
    }

    /// <inheritdoc />
    public void Dispose() => session.Dispose();

    private int BranchCount => (int)session.OutputMetadata[DiMmlColumns.BranchWeights].Dimensions[1];

    private static DataViewSchema.Column Column(DataViewSchema schema, string name, int size) =>
        schema.GetColumnOrNull(name) is { Type: VectorDataViewType { ItemType: NumberDataViewType n } v } column
            && n == NumberDataViewType.Single && v.Size == size
            ? column
            : throw new ArgumentException(
                $"Column '{name}' must be a vector of {size} Single values (as in training), but it is " +
                    $"{schema.GetColumnOrNull(name)?.Type.ToString() ?? "missing"}. " +
                "Transform the data with the same steps as the training data.", name);

    private IEnumerable<BulkPrediction> Batches(IDataView data, DataViewSchema.Column[] columns, int batchSize)
    {
        using var cursor = data.GetRowCursor(columns);
        var getters = columns.Select(c => cursor.GetGetter<VBuffer<float>>(c)).ToArray();
        var buffers = inputSizes.Select(size => new float[batchSize * size]).ToArray();
        var row = default(VBuffer<float>);
        while (true)
        {
            var rows = 0;
            while (rows < batchSize && cursor.MoveNext())
            {
                for (var m = 0; m < getters.Length; m++)
                {
                    getters[m](ref row);
                    row.CopyTo(buffers[m], rows * inputSizes[m]);
                }

                rows++;
            }

            if (rows == 0)
            {
                yield break;
            }

            foreach (var prediction in Run(buffers, rows))
            {
                yield return prediction;
            }
        }
    }

    private BulkPrediction[] Run(float[][] buffers, int rows)
    {
        var inputs = InputColumns.Select((name, m) => NamedOnnxValue.CreateFromTensor(name,
            new DenseTensor<float>(buffers[m].AsMemory(0, rows * inputSizes[m]), [rows, inputSizes[m]]))).ToArray();
        using var results = session.Run(inputs, [DiMmlColumns.Score, DiMmlColumns.BranchWeights, DiMmlColumns.PredictedIndex]);
        var score = results[0].AsTensor<float>().ToArray();
        var weights = results[1].AsTensor<float>().ToArray();
        var index = results[2].AsTensor<long>().ToArray();
        var (classes, branches) = (ClassNames.Count, weights.Length / rows);
        return Enumerable.Range(0, rows).Select(i => new BulkPrediction
        {
            Score = score.AsSpan(i * classes, classes).ToArray(),
            BranchWeights = weights.AsSpan(i * branches, branches).ToArray(),
            PredictedLabel = index[i] >= 0 ? ClassNames[(int)index[i]] : "",
        }).ToArray();
    }
}
