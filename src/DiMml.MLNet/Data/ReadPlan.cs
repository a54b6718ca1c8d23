namespace DiMml.MLNet.Data;

/// <summary>What a training read takes from an IDataView: the columns, the sizes the schema check found, and how bad rows are
/// handled.</summary>
/// <param name="LabelColumn">Key-typed label column.</param>
/// <param name="ModalityColumns">Modality vector columns, in option order.</param>
/// <param name="WeightColumn">Numeric example-weight column; null when rows are unweighted.</param>
/// <param name="ClassCount">Number of classes.</param>
/// <param name="Sizes">Vector size of each modality column.</param>
/// <param name="DropNonFinite">Skip rows with NaN/Inf features instead of failing.</param>
/// <param name="Role">What the rows are for ("training", "validation", ...), for messages.</param>
internal sealed record ReadPlan(
    string LabelColumn, IReadOnlyList<string> ModalityColumns, string? WeightColumn, int ClassCount, int[] Sizes, bool DropNonFinite,
        string Role);
