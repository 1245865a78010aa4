using System.ComponentModel.DataAnnotations;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Admin.Market;

/// <summary>Add an instrument, or edit one; deactivating hides it from the feed, search and lists but keeps its history.</summary>
public sealed class EditInstrumentModel(DbContext db, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public bool IsNew { get; private set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter a ticker.")]
        [RegularExpression("^[A-Za-z0-9]{1,16}$", ErrorMessage = "A ticker is 1 to 16 letters or digits.")]
        [Display(Name = "Ticker")]
        public string Ticker { get; set; } = "";

        [Required(ErrorMessage = "Enter a name.")]
        [StringLength(120, ErrorMessage = "The name can be at most {1} characters long.")]
        [Display(Name = "Name")]
        public string Name { get; set; } = "";

        [Required(ErrorMessage = "Enter a sector.")]
        [StringLength(60, ErrorMessage = "The sector can be at most {1} characters long.")]
        [Display(Name = "Sector")]
        public string Sector { get; set; } = "";

        [RegularExpression("^[A-Z]{2}[A-Z0-9]{9}[0-9]$", ErrorMessage = "An ISIN is 12 characters: 2 letters, 9 letters or digits, 1 digit.")]
        [Display(Name = "ISIN")]
        public string? Isin { get; set; }

        [Range(1, long.MaxValue, ErrorMessage = "The share count must be a positive whole number.")]
        [Display(Name = "Shares")]
        public long? SharesOutstanding { get; set; }

        [Required(ErrorMessage = "Enter a reference price.")]
        [Range(typeof(decimal), "0.01", "10000000", ParseLimitsInInvariantCulture = true, ErrorMessage = "The reference price must be between {1} and {2}.")]
        [Display(Name = "Reference price")]
        public decimal? ReferencePrice { get; set; }

        [Display(Name = "Active")]
        public bool IsActive { get; set; } = true;
    }

    public async Task<IActionResult> OnGetAsync(string? ticker, CancellationToken cancellationToken)
    {
        IsNew = ticker is null;
        if (IsNew)
        {
            return Page();
        }
        var instrument = await db.Instruments.AsNoTracking().SingleOrDefaultAsync(i => i.Ticker == ticker, cancellationToken);
        if (instrument is null)
        {
            return NotFound();
        }
        Input = new InputModel
        {
            Ticker = instrument.Ticker, Name = instrument.Name, Sector = instrument.Sector, Isin = instrument.Isin,
            SharesOutstanding = instrument.SharesOutstanding, ReferencePrice = instrument.ReferencePrice, IsActive = instrument.IsActive,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? ticker, CancellationToken cancellationToken)
    {
        IsNew = ticker is null;
        Instrument? instrument = null;
        if (!IsNew)
        {
            instrument = await db.Instruments.SingleOrDefaultAsync(i => i.Ticker == ticker, cancellationToken);
            if (instrument is null)
            {
                return NotFound();
            }
            Input.Ticker = instrument.Ticker;
            ModelState.Remove("Input.Ticker");
        }
        Input.Ticker = Input.Ticker.Trim().ToUpperInvariant();
        Input.Isin = string.IsNullOrWhiteSpace(Input.Isin) ? null : Input.Isin.Trim().ToUpperInvariant();
        if (IsNew && await db.Instruments.AnyAsync(i => i.Ticker == Input.Ticker, cancellationToken))
        {
            ModelState.AddModelError("Input.Ticker", L["This ticker already exists."]);
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        if (instrument is null)
        {
            instrument = new Instrument { Ticker = Input.Ticker, Name = Input.Name };
            db.Instruments.Add(instrument);
        }
        instrument.Name = Input.Name.Trim();
        instrument.Sector = Input.Sector.Trim();
        instrument.Isin = Input.Isin;
        instrument.SharesOutstanding = Input.SharesOutstanding;
        if (Input.SharesOutstanding is not null)
        {
            instrument.EstimatedShares = null;
        }
        instrument.ReferencePrice = Input.ReferencePrice!.Value;
        instrument.IsActive = Input.IsActive;
        instrument.SearchText = Catalogue.SearchTextOf(instrument.Ticker, instrument.Name, instrument.Isin);
        await db.SaveChangesAsync(cancellationToken);
        TempData["Status"] = L["{0} was saved.", instrument.Ticker].Value;
        return RedirectToPage("/Admin/Market/Instruments");
    }
}
