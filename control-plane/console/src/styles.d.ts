// CSS files are imported for esbuild to bundle into console.css; they export nothing.
declare module '*.css';
