import { useState } from 'preact/hooks';

let counter = 0;

/** A labelled read-only value with a copy button. */
export function CopyField(props: { label: string; value: string; testId?: string }) {
  const [id] = useState(() => `copy-${++counter}`);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // clipboard refused (no permission): the field can still be selected by hand
    }
  };
  return (
    <div class="copy-field">
      <label for={id}>{props.label}</label>
      <div class="copy-row">
        <input id={id} readOnly value={props.value} data-testid={props.testId} onFocus={(e) => (e.target as HTMLInputElement).select()} />
        <button type="button" class="secondary" onClick={copy} aria-label={`Copy ${props.label}`}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  );
}
