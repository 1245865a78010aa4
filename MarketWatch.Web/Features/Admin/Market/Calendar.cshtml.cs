using System.ComponentModel.DataAnnotations;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Admin.Market;

/// <summary>The movable holidays and special sessions (Ramadan) of the exchange calendar; fixed holidays are built in.</summary>
public sealed class CalendarModel(DbContext db, CalendarCache calendar, IStringLocalizer<SharedResource> L) : PageModel
{
    public IReadOnlyList<Holiday> Holidays { get; private set; } = [];
    public IReadOnlyList<SpecialSession> Sessions { get; private set; } = [];

    // Two forms on one page: each handler binds and validates only its own (prefixed) input.
    public HolidayInput NewHoliday { get; set; } = new();

    public SessionInput NewSession { get; set; } = new();

    public sealed class HolidayInput
    {
        [Required(ErrorMessage = "Choose a date.")]
        [Display(Name = "Date")]
        public DateOnly? Date { get; set; }

        [Required(ErrorMessage = "Enter a name.")]
        [StringLength(100, ErrorMessage = "The name can be at most {1} characters long.")]
        [Display(Name = "Name")]
        public string Name { get; set; } = "";
    }

    public sealed class SessionInput
    {
        [Required(ErrorMessage = "Enter a name.")]
        [StringLength(100, ErrorMessage = "The name can be at most {1} characters long.")]
        [Display(Name = "Name")]
        public string Name { get; set; } = "Ramadan";

        [Required(ErrorMessage = "Choose a date.")]
        [Display(Name = "From")]
        public DateOnly? From { get; set; }

        [Required(ErrorMessage = "Choose a date.")]
        [Display(Name = "To")]
        public DateOnly? To { get; set; }

        [Required(ErrorMessage = "Choose a time.")]
        [Display(Name = "Continuous trading from")]
        public TimeOnly? Start { get; set; } = new(9, 45);

        [Required(ErrorMessage = "Choose a time.")]
        [Display(Name = "Continuous trading until")]
        public TimeOnly? End { get; set; } = new(13, 20);
    }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAddHolidayAsync([Bind(Prefix = nameof(NewHoliday))] HolidayInput input, CancellationToken cancellationToken)
    {
        NewHoliday = input;
        if (NewHoliday.Date is { } date && await db.Holidays.AnyAsync(h => h.Date == date, cancellationToken))
        {
            ModelState.AddModelError("NewHoliday.Date", L["This date is already a holiday."]);
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }
        db.Holidays.Add(new Holiday { Date = NewHoliday.Date!.Value, Name = NewHoliday.Name.Trim(), IsIslamic = true });
        return await SavedAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostDeleteHolidayAsync(DateOnly date, CancellationToken cancellationToken)
    {
        await db.Holidays.Where(h => h.Date == date).ExecuteDeleteAsync(cancellationToken);
        return await SavedAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostAddSessionAsync([Bind(Prefix = nameof(NewSession))] SessionInput input, CancellationToken cancellationToken)
    {
        NewSession = input;
        if (NewSession.From > NewSession.To)
        {
            ModelState.AddModelError("NewSession.To", L["The end date is before the start date."]);
        }
        if (NewSession.Start is { } start && NewSession.End is { } end && (end <= start.AddMinutes(30) || start < new TimeOnly(8, 30) || end > new TimeOnly(17, 0)))
        {
            ModelState.AddModelError("NewSession.End", L["Continuous trading must run between 08:30 and 17:00, for more than 30 minutes."]);
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }
        db.SpecialSessions.Add(new SpecialSession
        {
            Name = NewSession.Name.Trim(), From = NewSession.From!.Value, To = NewSession.To!.Value,
            ContinuousStart = NewSession.Start!.Value, ContinuousEnd = NewSession.End!.Value,
        });
        return await SavedAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostDeleteSessionAsync(int id, CancellationToken cancellationToken)
    {
        await db.SpecialSessions.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken);
        return await SavedAsync(cancellationToken);
    }

    private async Task<IActionResult> SavedAsync(CancellationToken cancellationToken)
    {
        await db.SaveChangesAsync(cancellationToken);
        await calendar.RefreshAsync(cancellationToken);
        TempData["Status"] = L["The calendar was saved."].Value;
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Holidays = await db.Holidays.AsNoTracking().OrderBy(h => h.Date).ToListAsync(cancellationToken);
        Sessions = await db.SpecialSessions.AsNoTracking().OrderBy(s => s.From).ToListAsync(cancellationToken);
    }
}
