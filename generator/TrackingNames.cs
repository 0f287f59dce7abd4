namespace FixedShapeLoss.Generator;

/// <summary>Names of the pipeline steps, for incrementality tests (<c>WithTrackingName</c>).</summary>
public static class TrackingNames
{
    public const string Parsed = nameof(Parsed);
    public const string Specs = nameof(Specs);
    public const string Diagnostics = nameof(Diagnostics);
}
