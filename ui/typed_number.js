// What a typed number reads as: {value, note} or {error} (an error is a clause: the caller adds the sentence
// around it). Shared by the logit box (logit_pad.js) and a student's estimate in class mode (class_student.js). A number box is a text box, parsed here: a
// browser's number box drops a comma unseen ("1,5" became 15). A decimal comma reads as a point and
// says so ("1,5" is 1.5); one that could be a thousands separator ("1,000") is refused, and so is
// anything else that is not one finite number. A true minus sign (as the page writes it) is a minus.
// The same rule as core.query.parse_typed_number (the quiz's estimates), in the same words.
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function quoted(text) {
  return `“${text.length > 24 ? text.slice(0, 24) + "…" : text}”`;
}

function parseTyped(raw) {
  const typed = raw.trim();
  let text = typed.replace(/\u2212/g, "-");
  let note = "";
  if (typed === "") return { error: "the box is empty" };
  if (text.includes(",")) {
    const parts = text.split(",");
    if (parts.length !== 2 || text.includes(".")) {
      return { error: `${quoted(typed)} is not one number: decimals take a point, and no thousands separators` };
    }
    const [whole, frac] = parts;
    if (/^[+-]?[1-9]\d{0,2}$/.test(whole) && /^\d{3}$/.test(frac)) {
      const w = whole.replace(/-/g, "−");
      return { error: `${quoted(typed)} could be ${w}.${frac} or ${w}${frac}: write decimals with a point` };
    }
    text = `${whole}.${frac}`;
    note = "comma";
  }
  if (!NUMBER.test(text)) return { error: `${quoted(typed)} is not a number` };
  const value = Number(text);
  if (!Number.isFinite(value)) return { error: `${quoted(typed)} is too large: not a finite number` };
  return { value, note: note && `Read ${quoted(typed)} as ${String(value).replace(/-/g, "−")}.` };
}
