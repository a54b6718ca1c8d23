namespace DiMml;

/// <summary>
/// Keys of the metadata that DiMml's ONNX graphs carry (ONNX <c>metadata_props</c>), written by the exporters and read
/// back by <c>DiMmlModelInfo</c> and the bulk scorer. Values are strings; lists are comma-separated, numbers invariant.
/// </summary>
public static class ModelMetadataKeys
{
    /// <summary>What the graph is: a model kind (<c>DiMml</c>, <c>Joint</c>, ...), <c>CertaintyWeightedFusion</c> or
    /// <c>AudioSpectrogram</c>.</summary>
    public const string Kind = "dimml.kind";

    /// <summary>The package version that wrote the graph.</summary>
    public const string Version = "dimml.version";

    /// <summary>Modality names, in input order.</summary>
    public const string Modalities = "dimml.modalities";

    /// <summary>The ML.NET column of each modality, in input order.</summary>
    public const string Columns = "dimml.columns";

    /// <summary>Vector length of each modality, in input order.</summary>
    public const string InputSizes = "dimml.input_sizes";

    /// <summary>The label column the model was trained on.</summary>
    public const string LabelColumn = "dimml.label_column";

    /// <summary>Class names, in key order.</summary>
    public const string Classes = "dimml.classes";

    /// <summary>Number of classes.</summary>
    public const string ClassCount = "dimml.class_count";

    /// <summary>Branch names: the modalities, then <c>fusion</c> when there is a fusion head.</summary>
    public const string Branches = "dimml.branches";

    /// <summary>The fusion head's kind, or <c>None</c>.</summary>
    public const string FusionHead = "dimml.fusion_head";

    /// <summary>The fusion the graph scores with (a candidate name for calibrated and selected fusion).</summary>
    public const string Fusion = "dimml.fusion";

    /// <summary>Every fusion candidate's held-out accuracy, <c>name=accuracy</c> pairs.</summary>
    public const string FusionCandidates = "dimml.fusion_candidates";

    /// <summary>Each branch's calibration temperature.</summary>
    public const string BranchTemperatures = "dimml.branch_temperatures";

    /// <summary>Temperature T of the certainty weighting.</summary>
    public const string CertaintyTemperature = "dimml.certainty_temperature";

    /// <summary>The certainty measure of a certainty-weighted fusion graph.</summary>
    public const string Certainty = "dimml.certainty";

    /// <summary>Whether a certainty-weighted fusion graph takes logits (<c>true</c>) or probabilities.</summary>
    public const string InputsAreLogits = "dimml.inputs_are_logits";

    /// <summary>Rows held out of stage 1 for calibration and the fusion choice.</summary>
    public const string HeldOutRows = "dimml.held_out_rows";

    /// <summary>Which rows the fusion head was fitted on (training or held-out rows).</summary>
    public const string FusionHeadRows = "dimml.fusion_head_rows";

    /// <summary>Whether stage 1 was trained again on all rows after the fusion choice (<c>True</c>/<c>False</c>).</summary>
    public const string RefittedOnAllRows = "dimml.refitted_on_all_rows";

    /// <summary>The settings of an audio spectrogram graph.</summary>
    public const string Spectrogram = "dimml.spectrogram";
}
