using DiMml.Graphs;
using DiMml.MLNet.Scoring;
using DiMml.Serving.Audio;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace DiMml;

/// <summary>
/// Turns a column of WAV file paths into a fixed-size log spectrogram vector (frequency-major:
/// <see cref="Options.Bins"/> rows of frames), for an audio modality of <c>DiMmlTrainer</c> (declare its Shape as
/// new ModalityShape(1, 1, Bins, Frames)). Decoding (16-bit PCM or 32-bit float WAV, mono or mixed-down
/// stereo, any rate resampled to 16 kHz, tiled or cropped to the duration) runs in a CustomMapping from the
/// DiMml.Serving assembly; the STFT, mel bank, log and standardisation run in an ONNX graph, so the serving-time
/// spectrogram is the training-time one. A file that cannot be decoded at scoring gives a NaN spectrogram (the
/// modality is missing for that row) and its reason in the <c>{output}.Error</c> column.
/// </summary>
public sealed class AudioSpectrogramEstimator : IEstimator<AudioSpectrogramTransformer>
{
    private readonly MLNetEnvironment env;
    private readonly Options options;

    /// <summary>Spectrogram settings. Defaults: 3 s at 16 kHz, periodic Hann window 512, hop 160, centred frames,
    /// magnitude, log(x + 1e-7), per-clip z-score: 257 x 301.</summary>
    public sealed class Options
    {
        /// <summary>Clip duration in seconds (clips are tiled or cropped to it): 1, 2, 3, 4, 5 or 10. Default 3.</summary>
        public int Seconds { get; set; } = 3;

        /// <summary>STFT window and FFT length. Default 512.</summary>
        public int WindowSize { get; set; } = 512;

        /// <summary>Samples between frames. Default 160.</summary>
        public int HopLength { get; set; } = 160;

        /// <summary>Reflect-pad half a window on both ends so frames are centred (frames = samples / hop + 1). Default true.</summary>
        public bool Center { get; set; } = true;

        /// <summary>Mel bands instead of the WindowSize / 2 + 1 linear bins (HTK scale). Default null (linear).</summary>
        public int? MelBins { get; set; }

        /// <summary>Take log(x + LogEpsilon). Default true.</summary>
        public bool Log { get; set; } = true;

        /// <summary>ε of the log. Default 1e-7.</summary>
        public double LogEpsilon { get; set; } = 1e-7;

        /// <summary>Standardise each clip to zero mean and unit variance. Default true.</summary>
        public bool Standardize { get; set; } = true;

        /// <summary>The STFT window (periodic). Default <see cref="SpectrogramWindow.Hann"/>.</summary>
        public SpectrogramWindow Window { get; set; } = SpectrogramWindow.Hann;

        /// <summary>Subtract each frame's mean before windowing (scipy's <c>detrend='constant'</c>). Default false.</summary>
        public bool RemoveFrameMean { get; set; }

        /// <summary>Magnitude or one-sided power spectral density. Default <see cref="SpectrogramScaling.Magnitude"/>.</summary>
        public SpectrogramScaling Scaling { get; set; } = SpectrogramScaling.Magnitude;

        /// <summary>At Fit, files that cannot be decoded are an error naming the first (default); true logs their count
        /// and lets their rows through as NaN (set the trainer's DropRowsWithNonFiniteFeatures to skip them).</summary>
        public bool SkipInvalidFiles { get; set; }

        /// <summary>The DI-MML authors' spectrogram (<c>scipy.signal.spectrogram(x, fs, nperseg=512, noverlap=353)</c> with
        /// scipy's defaults, then log(x + 1e-7) and a per-clip z-score): 10 s at 16 kHz, periodic Tukey(0.25) window 512,
        /// hop 159, no centring, each frame's mean removed, one-sided power spectral density; 257 x 1004.</summary>
        public static Options PaperPreset() => new()
        {
            Seconds = 10,
            HopLength = 159,
            Center = false,
            Window = SpectrogramWindow.Tukey,
            RemoveFrameMean = true,
            Scaling = SpectrogramScaling.PowerSpectralDensity,
        };

        /// <summary>Frequency rows of the output.</summary>
        public int Bins => Settings().Bins;

        /// <summary>Time frames of the output.</summary>
        public int Frames => Settings().Frames;

        internal SpectrogramSettings Settings() => new(
            AudioDecodeContracts.SampleRate, AudioDecodeContracts.SampleRate * Seconds, WindowSize, HopLength, Center, MelBins, Log,
                LogEpsilon, Standardize,
            Window, RemoveFrameMean, Scaling);
    }

    internal AudioSpectrogramEstimator(MLNetEnvironment env, string outputColumnName, string inputColumnName, Options options)
    {
        this.env = env;
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        OutputColumnName = string.IsNullOrWhiteSpace(outputColumnName)
            ? throw new ArgumentException("Name the spectrogram's output column.", nameof(outputColumnName)) : outputColumnName;
        InputColumnName = string.IsNullOrWhiteSpace(inputColumnName)
            ? throw new ArgumentException("Name the column of WAV paths.", nameof(inputColumnName)) : inputColumnName;
        if (!AudioDecodeContracts.Seconds.Contains(options.Seconds))
        {
            throw new ArgumentException($"Option Seconds is {options.Seconds}; supported durations are " +
                $"{string.Join(", ", AudioDecodeContracts.Seconds)} s.", nameof(options.Seconds));
        }

        options.Settings().Validate();
        env.Host.ComponentCatalog.RegisterAssembly(typeof(AudioDecodeContracts).Assembly);
    }

    /// <summary>The spectrogram column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The column of WAV paths.</summary>
    public string InputColumnName { get; }

    /// <summary>Output schema: the spectrogram vector and its error column.</summary>
    /// <param name="inputSchema">Shape of the input data.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var column = inputSchema.FirstOrDefault(c => c.Name == InputColumnName);
        if (column.Name is null || column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
        {
            throw PathColumnError(column.Name is null ? "missing" : $"{column.Kind} of {column.ItemType}");
        }

        using var graph = new OnnxModelFile(SpectrogramOnnxExport.ToBytes(options.Settings(), IDecodedAudio.SamplesColumn,
            SpectrogramColumn));
        return Pipeline(graph).GetOutputSchema(inputSchema);
    }

    /// <summary>Checks every training file once (unless <see cref="Options.SkipInvalidFiles"/>) and builds the transform.</summary>
    /// <param name="input">Data with the path column.</param>
    public AudioSpectrogramTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Schema.GetColumnOrNull(InputColumnName) is not { Type: TextDataViewType } column)
        {
            throw PathColumnError(input.Schema.GetColumnOrNull(InputColumnName)?.Type.ToString() ?? "missing");
        }

        CheckFiles(input, column);
        var bytes = SpectrogramOnnxExport.ToBytes(options.Settings(), IDecodedAudio.SamplesColumn, SpectrogramColumn);
        var graph = new OnnxModelFile(bytes);
        return new AudioSpectrogramTransformer(Pipeline(graph).Fit(input), graph, bytes, options.Bins, options.Frames);
    }

    private const string SpectrogramColumn = "DiMml.Audio.Spectrogram";

    private IEstimator<ITransformer> Pipeline(OnnxModelFile graph)
    {
        var transforms = env.Transforms;
        return transforms.CopyColumns(AudioPathRow.Column, InputColumnName)
            .Append(DecodeMapping(transforms))
            .Append(transforms.ApplyOnnxModel([SpectrogramColumn], [IDecodedAudio.SamplesColumn], graph.Path))
            .Append(transforms.CopyColumns(OutputColumnName, SpectrogramColumn))
            .Append(transforms.CopyColumns(OutputColumnName + ".Error", IDecodedAudio.ErrorColumn))
            .Append(transforms.DropColumns(AudioPathRow.Column, IDecodedAudio.SamplesColumn, IDecodedAudio.ErrorColumn, SpectrogramColumn));
    }

    private IEstimator<ITransformer> DecodeMapping(TransformsCatalog transforms) => options.Seconds switch
    {
        1 => transforms.CustomMapping(new AudioDecode1s().GetMapping(), AudioDecodeContracts.ContractName(1)),
        2 => transforms.CustomMapping(new AudioDecode2s().GetMapping(), AudioDecodeContracts.ContractName(2)),
        3 => transforms.CustomMapping(new AudioDecode3s().GetMapping(), AudioDecodeContracts.ContractName(3)),
        4 => transforms.CustomMapping(new AudioDecode4s().GetMapping(), AudioDecodeContracts.ContractName(4)),
        5 => transforms.CustomMapping(new AudioDecode5s().GetMapping(), AudioDecodeContracts.ContractName(5)),
        _ => transforms.CustomMapping(new AudioDecode10s().GetMapping(), AudioDecodeContracts.ContractName(10)),
    };

    private void CheckFiles(IDataView input, DataViewSchema.Column column)
    {
        var failures = new List<string>();
        using (var cursor = input.GetRowCursor([column]))
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            var path = default(ReadOnlyMemory<char>);
            var buffer = new float[AudioDecodeContracts.SampleRate * options.Seconds];
            while (cursor.MoveNext())
            {
                getter(ref path);
                var error = AudioDecoding.TryDecode(path.ToString(), AudioDecodeContracts.SampleRate, buffer);
                if (error.Length > 0)
                {
                    failures.Add(error);
                }
            }
        }

        if (failures.Count == 0)
        {
            return;
        }

        if (!options.SkipInvalidFiles)
        {
            throw new ArgumentException(
                $"{failures.Count} audio file(s) in column '{InputColumnName}' cannot be decoded. {failures[0]} " +
                "Fix or remove them, or set SkipInvalidFiles = true (with the trainer's DropRowsWithNonFiniteFeatures) to skip their rows.",
                    InputColumnName);
        }

        using var channel = env.Host.Register(nameof(AudioSpectrogramEstimator)).Start("Checking audio files");
        channel.Warning(MessageSensitivity.None, $"Skipping {failures.Count} audio file(s) that cannot be decoded (their spectrograms " +
            $"are NaN); the first: {failures[0]}");
    }

    private ArgumentException PathColumnError(string found) => new(
        $"Audio column '{InputColumnName}' must be a text column of WAV file paths, but it is {found}.", InputColumnName);
}
