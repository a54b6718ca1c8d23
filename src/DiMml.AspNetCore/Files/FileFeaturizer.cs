using System.Text.Json;
using DiMml.Serving.Audio;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.AspNetCore.Files;

/// <summary>
/// Runs the saved model's own featurizers (the ML.NET steps before its DI-MML step: WAV decoding and spectrograms, image
/// loading and pixel extraction, ...) on an uploaded row, giving the modality vectors the DI-MML graph scores. Only the
/// modality columns are read from the loaded chain, so its own DI-MML step does not run; scoring goes through the same
/// coalesced batches as JSON requests.
/// </summary>
internal sealed class FileFeaturizer : IDisposable
{
    private readonly ITransformer model;
    private readonly DataViewSchema inputSchema;
    private readonly IReadOnlyList<string> modalityColumns;
    private readonly IReadOnlyList<string> modalityNames;
    private readonly IReadOnlyList<int> sizes;
    private readonly string[] errorColumns;
    private readonly HashSet<string> vectorInputs;

    private FileFeaturizer(ITransformer model, DataViewSchema inputSchema, DiMmlModelInfo info)
    {
        this.model = model;
        this.inputSchema = inputSchema;
        modalityColumns = info.ColumnNames;
        modalityNames = info.ModalityNames.Count == modalityColumns.Count ? info.ModalityNames : modalityColumns;
        sizes = info.InputSizes;
        var label = info.Metadata.GetValueOrDefault(ModelMetadataKeys.LabelColumn, "Label");
        FileInputs = inputSchema.Where(c => c.Type is TextDataViewType && c.Name != label && !c.IsHidden).Select(c => c.Name).ToArray();
        vectorInputs = modalityColumns.Where(c => inputSchema.GetColumnOrNull(c) is not null).ToHashSet(StringComparer.Ordinal);
        var output = model.GetOutputSchema(inputSchema);
        info.CheckInput(output);
        // Featurizers that report unreadable input in a text column "{output}.Error" (the audio transform) rather than throwing.
        errorColumns = output.Where(c => c.Type is TextDataViewType && c.Name.EndsWith(".Error", StringComparison.Ordinal)
            && inputSchema.GetColumnOrNull(c.Name) is null && !c.IsHidden).Select(c => c.Name).ToArray();
    }

    /// <summary>The text inputs of the model (file paths, for a pipeline that starts from files), in input order.</summary>
    public IReadOnlyList<string> FileInputs { get; }

    /// <summary>The fields a request may give: <see cref="FileInputs"/>, the modality columns the model reads as vectors, and
    /// <c>null</c> under a modality's name to mark it missing.</summary>
    public string Fields => string.Join(", ", FileInputs.Select(f => $"a file '{f}'")
        .Concat(vectorInputs.Select(v => $"'{v}': [numbers]")).Append("a modality's name: null (missing)"));

    /// <summary>Loads the ML.NET chain of a model zip; null and the reason when this app cannot run its featurizers.</summary>
    public static (FileFeaturizer? Featurizer, string? Problem) TryLoad(byte[] modelZip, DiMmlModelInfo info)
    {
        var ml = new MLContext(seed: 0);
        ml.ComponentCatalog.RegisterAssembly(typeof(AudioDecodeContracts).Assembly);
        try
        {
            using var stream = new MemoryStream(modelZip, writable: false);
            var model = ml.Model.Load(stream, out var inputSchema);
            try
            {
                return (new FileFeaturizer(model, inputSchema, info), null);
            }
            catch
            {
                (model as IDisposable)?.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (null, $"ML.NET cannot load the model's featurizers in this app ({e.Message}); add the packages of the training " +
                "pipeline's transforms (Microsoft.ML.ImageAnalytics for images).");
        }
    }

    /// <summary>Whether a request may give field <paramref name="name"/>.</summary>
    public bool Accepts(string name) => FileInputs.Contains(name) || Modality(name) >= 0;

    /// <summary>The modality vectors of the uploaded row, one array per modality column. A file input the upload does not give
    /// is featurized as the saved pipeline treats an empty path (the audio transform: missing; ML.NET's image loader: a blank
    /// image); a modality given as <c>null</c> is missing for the row.</summary>
    /// <exception cref="BadRequestException">A file the featurizers cannot read, or a vector that does not fit; the message
    /// names the field.</exception>
    public float[][] Featurize(Upload upload)
    {
        foreach (var name in upload.Files.Keys.Where(n => !FileInputs.Contains(n)))
        {
            throw new BadRequestException($"{name}: send it as a text part (a JSON array, or null), not a file.");
        }

        CheckWavFiles(upload);
        var texts = upload.Files.ToDictionary(f => f.Key, f => f.Value.Path);
        var vectors = new Dictionary<string, float[]>();
        var missing = new List<int>();
        foreach (var (name, text) in upload.Texts)
        {
            var m = Modality(name);
            if (FileInputs.Contains(name) || m < 0)
            {
                // Never a path from the client: only files it uploaded are read.
                throw new BadRequestException($"{name}: upload it as a file part (with a file name).");
            }

            if (text.Trim() == "null")
            {
                missing.Add(m);
            }
            else if (vectorInputs.Contains(modalityColumns[m]))
            {
                vectors[modalityColumns[m]] = Vector(name, modalityColumns[m], text);
            }
            else
            {
                throw new BadRequestException($"{name}: this modality's vector comes from the files; send null to mark it missing.");
            }
        }

        try
        {
            var features = Read(texts, vectors, upload);
            missing.ForEach(m => features[m].AsSpan().Fill(float.NaN));
            return features;
        }
        catch (Exception e) when (e is not (BadRequestException or OutOfMemoryException or OperationCanceledException))
        {
            var message = Describe(e, upload, out var field);
            throw new BadRequestException($"{field ?? Culprit(texts, upload)}: the model's featurizers cannot read it ({message}).");
        }
    }

    public void Dispose() => (model as IDisposable)?.Dispose();

    // Featurizers that throw (image loading) seldom name the file: run each uploaded file alone to find the one at fault.
    private string Culprit(Dictionary<string, string> texts, Upload upload)
    {
        foreach (var name in upload.Files.Keys)
        {
            try
            {
                Read(new Dictionary<string, string> { [name] = texts[name] }, new Dictionary<string, float[]>(), upload);
            }
            catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
            {
                return name;
            }
        }

        return "files";
    }

    private float[][] Read(Dictionary<string, string> texts, Dictionary<string, float[]> vectors, Upload upload)
    {
        var featurized = model.Transform(new InputRowView(inputSchema, texts, vectors));
        var columns = modalityColumns.Select(c => featurized.Schema[c]).ToArray();
        var errors = errorColumns.Select(c => featurized.Schema[c]).ToArray();
        using var cursor = featurized.GetRowCursor(columns.Concat(errors));
        cursor.MoveNext();
        foreach (var column in errors)
        {
            var error = default(ReadOnlyMemory<char>);
            cursor.GetGetter<ReadOnlyMemory<char>>(column)(ref error);
            // An input the request left out reports itself too ("path is empty"): that modality is simply missing.
            var message = Describe(error.ToString(), upload, out var field);
            if (field is not null)
            {
                throw new BadRequestException($"{field}: {message}");
            }
        }

        var buffer = default(VBuffer<float>);
        return columns.Select((column, m) =>
        {
            cursor.GetGetter<VBuffer<float>>(column)(ref buffer);
            var values = new float[sizes[m]];
            buffer.CopyTo(values);
            return values;
        }).ToArray();
    }

    // The upload's files are parsed strictly here: the decoder pads a WAV whose data chunk is cut short, which suits a data set
    // on disk but would answer a broken upload as if it were whole.
    private static void CheckWavFiles(Upload upload)
    {
        foreach (var (name, file) in upload.Files)
        {
            var bytes = File.ReadAllBytes(file.Path);
            if (bytes.Length >= 12 && bytes.AsSpan(0, 4).SequenceEqual("RIFF"u8) && bytes.AsSpan(8, 4).SequenceEqual("WAVE"u8))
            {
                try
                {
                    WavFile.Parse(bytes, file.ClientName, requireComplete: true);
                }
                catch (InvalidDataException e)
                {
                    throw new BadRequestException($"{name}: {e.Message}");
                }
            }
        }
    }

    private int Modality(string name)
    {
        for (var m = 0; m < modalityColumns.Count; m++)
        {
            if (modalityColumns[m] == name || modalityNames[m] == name)
            {
                return m;
            }
        }

        return -1;
    }

    private float[] Vector(string name, string column, string json)
    {
        var size = sizes[modalityColumns.ToList().IndexOf(column)];
        float[]? values;
        try
        {
            values = JsonSerializer.Deserialize<float[]>(json);
        }
        catch (JsonException)
        {
            values = null;
        }

        return values is { } v && v.Length == size && v.All(float.IsFinite)
            ? v
            : throw new BadRequestException($"{name}: send a JSON array of {size} finite numbers (got {Shorten(json)}).");
    }

    // Error texts name the saved file's path; the client knows its own file name and field.
    private static string Describe(string message, Upload upload, out string? field)
    {
        field = null;
        foreach (var (name, file) in upload.Files)
        {
            if (message.Contains(file.Path, StringComparison.Ordinal))
            {
                field = name;
                message = message.Replace(file.Path, file.ClientName, StringComparison.Ordinal);
            }
        }

        return message;
    }

    private static string Describe(Exception e, Upload upload, out string? field)
    {
        var messages = new List<string>();
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            messages.Add(inner.Message);
        }

        return Describe(string.Join(": ", messages.Distinct()), upload, out field);
    }

    private static string Shorten(string text) => text.Length <= 40 ? $"'{text}'" : $"'{text[..40]}...'";
}
