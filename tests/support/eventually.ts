// The tests' one wait helper: the drills share it, so it lives under local/.
export { eventually } from '../../local/eventually';
